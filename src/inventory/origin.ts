import { acmPcaInput, type AcmPcaConfig } from '../provisioning/certificate-modes/acm-pca/input.js';
import { parametersOf } from '../provisioning/certificate-modes/mode-inputs.js';
import type { ProvisionRequest } from '../tasks/request.js';
import type { CdfBlock, CertificateModeName } from '../templates/cdf-block.js';
import type { ExpandedCertificate } from '../templates/types.js';
import type { CertificateOrigin } from './model.js';

/** How a task's certificate came about, and the status it was given (undefined: not known here). */
export interface TaskCertificateOrigin {
  origin: CertificateOrigin;
  status: string | undefined;
}

/**
 * A CDF certificate mode's certificate, read from the request the way the mode itself reads it
 * (the same input functions), so the recorded CA is the one that signed.
 */
export function originOfMode(
  mode: CertificateModeName,
  request: ProvisionRequest,
  cdf: CdfBlock,
  config: AcmPcaConfig,
): TaskCertificateOrigin {
  const parameters = parametersOf(request);
  const deviceKey = parameters.csr !== undefined;
  switch (mode) {
    case 'createDeviceCertificate':
      return {
        origin: { mode: 'own-ca', ...(parameters.caId ? { caId: parameters.caId } : {}), deviceKey },
        status: 'ACTIVE',
      };
    case 'createDeviceAWSCertificate':
      return { origin: { mode: 'aws', deviceKey: false }, status: 'ACTIVE' };
    case 'registerDeviceCertificateWithoutCA':
      return {
        origin: { mode: 'registered', deviceKey: true },
        status: parameters.certificateStatus ?? 'ACTIVE',
      };
    case 'acmpca': {
      const input = acmPcaInput(request, cdf, config);
      return {
        origin: {
          mode: 'acm-pca',
          pcaArn: input.pcaArn,
          ...(input.iotCaId !== undefined ? { caId: input.iotCaId } : {}),
          deviceKey,
        },
        status: 'ACTIVE',
      };
    }
  }
}

/**
 * The template's own certificate resource, with no CDF mode: AWS IoT signed the device's CSR, the
 * caller's PEM was registered, or an existing certificate was named by id (whose origin the
 * inventory may know already: it is then kept).
 */
export function originOfTemplateCertificate(spec: ExpandedCertificate): TaskCertificateOrigin {
  if (spec.certificateSigningRequest !== undefined) {
    return { origin: { mode: 'aws-csr', deviceKey: true }, status: spec.status ?? 'ACTIVE' };
  }
  if (spec.certificatePem !== undefined) {
    return { origin: { mode: 'registered', deviceKey: true }, status: spec.status ?? 'ACTIVE' };
  }
  return { origin: { mode: 'unknown' }, status: spec.status };
}
