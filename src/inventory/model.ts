/**
 * The certificate inventory: one record per certificate the service made, registered or found by
 * the backfill, kept after the task that made it has expired. AWS IoT stays the truth about a
 * certificate's attachments; the inventory adds what IoT cannot say (which mode and CA made it,
 * which task) and what it cannot answer cheaply (what expires when, across the fleet).
 */

/**
 * How a certificate was made:
 * - `own-ca`: createDeviceCertificate, signed by one of the account's own CAs (`caId`);
 * - `acm-pca`: acmpca, issued by ACM Private CA (`pcaArn`; `caId` is the AWS IoT CA it was
 *   registered with, for REGISTER_WITH_CA);
 * - `aws`: createDeviceAWSCertificate, key and certificate made by AWS IoT;
 * - `aws-csr`: AWS IoT signed the device's CSR (a template's `CertificateSigningRequest`);
 * - `registered`: the caller's own certificate, registered (registerDeviceCertificateWithoutCA,
 *   or a template's `CertificatePem`);
 * - `unknown`: found by the backfill with no CA of the account behind it, or a certificate a
 *   template named by `CertificateId` that the inventory did not know.
 */
export const CERTIFICATE_MODES = ['own-ca', 'acm-pca', 'aws', 'aws-csr', 'registered', 'unknown'] as const;
export type CertificateMode = (typeof CERTIFICATE_MODES)[number];

export interface CertificateOrigin {
  mode: CertificateMode;
  /** The AWS IoT CA certificate id: own-ca's CA, acm-pca's REGISTER_WITH_CA CA. */
  caId?: string;
  /** acm-pca: the ACM Private CA that issued it. */
  pcaArn?: string;
  /**
   * True when the device holds a key the service never saw (a CSR, or its own certificate), so a
   * replacement needs the device's help; false when the service (or AWS IoT) made the key.
   */
  deviceKey?: boolean;
}

/** What the certificate's PEM says about it (certificate-facts.ts). */
export interface CertificateFacts {
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** The issuer's distinguished name, e.g. `C=US, O=Acme, CN=Acme Device CA`. */
  issuer: string;
  /** `RSA-2048`, `EC-P256`, …; absent for a key type this service does not name. */
  keyAlgorithm?: string;
}

/**
 * AWS IoT's status as the inventory last saw it, or the service's own end states: `RETIRED`
 * (detached and deactivated by the service) and `DELETED` (deleted from AWS IoT by the service).
 */
export type InventoryStatus = string;
export const RETIRED = 'RETIRED';
export const DELETED = 'DELETED';
/** Statuses that take a certificate out of the expiry index: it can never be used again as it is. */
export const OUT_OF_SERVICE: ReadonlySet<string> = new Set([RETIRED, DELETED, 'REVOKED']);

export type RecordSource = 'task' | 'backfill' | 'retirement';

export interface InventoryCertificate extends CertificateOrigin, CertificateFacts {
  certificateId: string;
  certificateArn: string;
  /** The thing the service attached it to (or found it attached to); absent for none. */
  thingName?: string;
  status: InventoryStatus;
  /** The task that made or registered it. */
  taskId?: string;
  source: RecordSource;
  /** The backfill job that recorded it. */
  backfillJobId?: string;
  recordedAt: string;
  updatedAt: string;
  retiredAt?: string;
  deletedAt?: string;
}

/** What a caller gives to record a certificate; the facts are read from the PEM. */
export interface CertificateToRecord {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  thingName?: string;
  origin: CertificateOrigin;
  /**
   * The status AWS IoT gave it. Absent when the recorder does not know it (a certificate a
   * template named by id): a known record keeps its status, a new one is recorded `ACTIVE`.
   */
  status?: InventoryStatus;
  taskId?: string;
  source: RecordSource;
  backfillJobId?: string;
}
