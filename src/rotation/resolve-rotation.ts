import type { IoTClient } from '@aws-sdk/client-iot';
import { partitionOf } from '../aws/partition.js';
import { listAttachedPolicies, listThingPrincipals } from '../aws/iot-lists.js';
import { ROTATION_CSR_PARAMETER } from '../provisioning/rotation-template.js';
import type { CdfProvisioningParameters, ProvisionRequest } from '../tasks/request.js';
import type { RetireAfter, Rotation, RotationMode } from '../tasks/rotation.js';
import { NotFoundError } from '../errors.js';
import { ThingNotFoundError } from '../things/errors.js';
import { readCertificate } from '../things/get-thing.js';
import { certificateIdOf, checkThingName } from '../things/thing-name.js';
import {
  CertificateNotOfThingError,
  CurrentCertificateAmbiguousError,
  NoCurrentCertificateError,
  RotationError,
} from './errors.js';
import { DEFAULT_RETIRE, type RetireOldCertificate, type RotationRequest } from './schemas.js';
import { certInfoOf } from './subject-of.js';

/** The template id a rotation task's request carries: no stored template can have it (see TemplateId). */
export const ROTATION_TEMPLATE_ID = ':rotation';

/**
 * What rotation reads from the certificate inventory (src/inventory/inventory.ts): how the
 * certificate being replaced was made, when the service made or registered it.
 */
export interface KnownCertificates {
  get(
    certificateId: string,
  ): Promise<{ mode: string; caId?: string | undefined; pcaArn?: string | undefined } | undefined>;
}

export interface ResolveDeps {
  iot: IoTClient;
  inventory: KnownCertificates;
  /** Whether a certificate is already being retired: an earlier rotation replaced it. */
  retiring: (certificateId: string) => Promise<boolean>;
  region: string;
  accountId: () => Promise<string>;
}

/** Which `cdfProvisioningParameters` each mode reads; any other is refused, so none is silently ignored. */
const PARAMETERS_OF: Record<RotationMode, readonly (keyof CdfProvisioningParameters)[]> = {
  'own-ca': ['caId', 'certInfo', 'keyAlgorithm', 'csr'],
  'acm-pca': [
    'acmpcaCaArn',
    'acmpcaCaAlias',
    'amcpcaCaArn',
    'amcpcaCaAlias',
    'awsiotCaArn',
    'awsiotCaAlias',
    'certInfo',
    'keyAlgorithm',
    'csr',
  ],
  aws: [],
  'aws-csr': ['csr'],
  registered: ['certificatePem'],
};

/**
 * Turns a rotation request into what its task records: the certificate it replaces, that
 * certificate's policies, the mode and its parameters (defaults from the inventory's record of the
 * replaced certificate, and its subject), when to retire the old one, and the provisioning request
 * the engine runs. Reads only: AWS IoT (the thing, its principals, the certificate, its policies)
 * and the inventory.
 *
 * The certificate replaced is the one the request names (it must be attached to the thing), else
 * the thing's only ACTIVE certificate that no earlier rotation is retiring: none is a 409 (nothing
 * to rotate), several a 409 naming them.
 */
export async function resolveRotation(
  thingName: string,
  body: RotationRequest,
  deps: ResolveDeps,
): Promise<{ rotation: Rotation; request: ProvisionRequest }> {
  checkThingName(thingName);
  const current = await currentCertificate(thingName, body.certificateId, deps);
  const policies = (await listAttachedPolicies(deps.iot, current.arn)).map((p) => p.policyName);

  const known = await deps.inventory.get(current.certificateId);
  const knownMode = isRotationMode(known?.mode) ? known.mode : undefined;
  const mode = body.mode ?? knownMode;
  if (mode === undefined) {
    throw new RotationError(
      'ROTATION_MODE_REQUIRED',
      `The service does not know how certificate ${current.certificateId} was made; send mode ` +
        '(own-ca, acm-pca, aws, aws-csr or registered) and its cdfProvisioningParameters',
    );
  }
  const sent = body.cdfProvisioningParameters ?? {};
  checkParametersFit(mode, sent);
  // The CA of the replaced certificate is the default only for a certificate made the same way.
  const sameCa = mode === knownMode ? known : undefined;
  const parameters: CdfProvisioningParameters = { ...sent };
  const templateParameters: Record<string, string> = { ThingName: thingName };
  let acmpcaMode: Rotation['acmpcaMode'];

  switch (mode) {
    case 'own-ca':
      if (parameters.caId === undefined && sameCa?.caId !== undefined) parameters.caId = sameCa.caId;
      defaultSubject(parameters, current);
      break;
    case 'acm-pca': {
      const namesPca = [
        parameters.acmpcaCaArn,
        parameters.acmpcaCaAlias,
        parameters.amcpcaCaArn,
        parameters.amcpcaCaAlias,
      ];
      if (namesPca.every((v) => v === undefined) && sameCa?.pcaArn !== undefined) {
        parameters.acmpcaCaArn = sameCa.pcaArn;
        if (parameters.awsiotCaArn === undefined && parameters.awsiotCaAlias === undefined && sameCa.caId) {
          parameters.awsiotCaArn = await caArnOf(sameCa.caId, deps);
        }
      }
      acmpcaMode =
        parameters.awsiotCaArn !== undefined || parameters.awsiotCaAlias !== undefined
          ? 'REGISTER_WITH_CA'
          : 'REGISTER_WITHOUT_CA';
      defaultSubject(parameters, current);
      break;
    }
    case 'aws':
      break;
    case 'aws-csr':
      if (parameters.csr === undefined) {
        throw new RotationError(
          'CSR_REQUIRED',
          "Mode aws-csr needs the device's certificate signing request in cdfProvisioningParameters.csr",
        );
      }
      templateParameters[ROTATION_CSR_PARAMETER] = parameters.csr;
      delete parameters.csr;
      break;
    case 'registered':
      if (parameters.certificatePem === undefined) {
        throw new RotationError(
          'CERTIFICATE_PEM_REQUIRED',
          "Mode registered needs the device's new certificate in cdfProvisioningParameters.certificatePem",
        );
      }
      parameters.certificateStatus = 'ACTIVE';
      break;
  }

  const rotation: Rotation = {
    thingName,
    replaces: { certificateId: current.certificateId, certificateArn: current.arn },
    mode,
    ...(acmpcaMode !== undefined ? { acmpcaMode } : {}),
    policies,
    retire: retireAfter(body.retireOldCertificate ?? DEFAULT_RETIRE),
  };
  const request: ProvisionRequest = {
    provisioningTemplateId: ROTATION_TEMPLATE_ID,
    parameters: templateParameters,
    ...(Object.keys(parameters).length > 0 ? { cdfProvisioningParameters: parameters } : {}),
  };
  return { rotation, request };
}

/** Refuses a parameter the mode does not read, so none is silently ignored. */
export function checkParametersFit(mode: RotationMode, sent: object): void {
  const unused = Object.keys(sent).filter((k) => !(PARAMETERS_OF[mode] as readonly string[]).includes(k));
  if (unused.length > 0) {
    throw new RotationError(
      'ROTATION_PARAMETER_UNUSED',
      `Mode ${mode} does not use cdfProvisioningParameters.${unused.join(', .')}; remove it` +
        (mode === 'registered' || mode === 'aws-csr' ? '' : ' or choose another mode'),
    );
  }
}

async function currentCertificate(
  thingName: string,
  named: string | undefined,
  { iot, retiring }: Pick<ResolveDeps, 'iot' | 'retiring'>,
): Promise<ThingCertificate> {
  // AWS IoT answers ResourceNotFound for a thing that does not exist: no DescribeThing first.
  const principals = await listThingPrincipals(iot, thingName).catch((e: unknown) => {
    throw e instanceof NotFoundError ? new ThingNotFoundError(thingName, { cause: e }) : e;
  });
  const ids = principals.flatMap((p) => certificateIdOf(p) ?? []);
  if (named !== undefined) {
    const certificate = ids.includes(named) ? await readCertificate(iot, named) : undefined;
    if (certificate === undefined) throw new CertificateNotOfThingError(named, thingName);
    return certificate;
  }
  const certificates = await Promise.all(ids.map((id) => readCertificate(iot, id)));
  let active = certificates.flatMap((c) => (c?.certificateStatus === 'ACTIVE' ? [c] : []));
  if (active.length > 1) {
    // Within an earlier rotation's grace period the replaced one is still ACTIVE: not current.
    const replaced = await Promise.all(active.map((c) => retiring(c.certificateId)));
    const inService = active.filter((_, i) => replaced[i] !== true);
    if (inService.length > 0) active = inService;
  }
  const [only, ...others] = active;
  if (only === undefined) throw new NoCurrentCertificateError(thingName);
  if (others.length > 0) {
    throw new CurrentCertificateAmbiguousError(
      thingName,
      active.map((c) => c.certificateId),
    );
  }
  return only;
}

/** Without certInfo or a CSR, the new certificate names the device as the replaced one did. */
function defaultSubject(parameters: CdfProvisioningParameters, current: ThingCertificate): void {
  if (parameters.certInfo !== undefined || parameters.csr !== undefined) return;
  const subject = certInfoOf(current.certificatePem);
  if (subject !== undefined) parameters.certInfo = subject;
}

async function caArnOf(caId: string, deps: ResolveDeps): Promise<string> {
  return `arn:${partitionOf(deps.region)}:iot:${deps.region}:${await deps.accountId()}:cacert/${caId}`;
}

export function retireAfter(option: RetireOldCertificate): RetireAfter {
  if (option === 'now' || option === 'never') return option;
  return { afterSeconds: 'afterDays' in option ? option.afterDays * 86_400 : option.afterSeconds };
}

type ThingCertificate = NonNullable<Awaited<ReturnType<typeof readCertificate>>>;

const isRotationMode = (mode: string | undefined): mode is RotationMode =>
  mode !== undefined && Object.keys(PARAMETERS_OF).includes(mode);
