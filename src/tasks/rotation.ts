/**
 * A certificate rotation as its task records it, resolved when the rotation was accepted (see
 * src/rotation/): which certificate it replaces, how the new one is made, which policies it gets
 * and when the old one is retired. Fixed on the task, so every delivery makes the same certificate
 * the same way, and the engine runs it as any other device task (src/provisioning/rotation-template.ts).
 */

/** A certificate a rotation names to replace: AWS IoT's certificate id, as ListThingPrincipals gives it. */
export const CERTIFICATE_ID = /^[0-9a-f]{64}$/;

/** How the new certificate is made (the inventory's names, src/inventory/model.ts). */
export const ROTATION_MODES = ['own-ca', 'acm-pca', 'aws', 'aws-csr', 'registered'] as const;
export type RotationMode = (typeof ROTATION_MODES)[number];

/** When the replaced certificate is retired: at once, after a grace period, or never automatically. */
export type RetireAfter = 'now' | 'never' | { afterSeconds: number };

export interface Rotation {
  thingName: string;
  /** The certificate being replaced. */
  replaces: { certificateId: string; certificateArn: string };
  mode: RotationMode;
  /** acm-pca only: whether the certificate is registered with its AWS IoT CA. */
  acmpcaMode?: 'REGISTER_WITH_CA' | 'REGISTER_WITHOUT_CA';
  /** The replaced certificate's policies, by name, when the rotation was accepted. */
  policies: string[];
  retire: RetireAfter;
}

export const RETIREMENT_STATUSES = ['RETIRED', 'SCHEDULED', 'KEPT', 'BLOCKED', 'DELETED'] as const;
export type RetirementStatus = (typeof RETIREMENT_STATUSES)[number];

/** What became of the replaced certificate, in the task's result. */
export interface RotationOutcome {
  replacedCertificateId: string;
  /**
   * The retirement's state as it was when the rotation finished (`KEPT`: `retire: never`; `BLOCKED`:
   * a retirement rule refused it now, `reason` says which); GET /certificates follows it later.
   */
  retirement: {
    status: RetirementStatus;
    retireAt?: string;
    retiredAt?: string;
    deleteAt?: string;
    code?: string;
    reason?: string;
  };
}
