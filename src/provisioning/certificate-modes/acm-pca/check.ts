import type { IotCaCertificates } from '../../ca/ca-certificates.js';
import type { PcaDirectory } from '../../ca/pca-directory.js';
import type { ModeCheck } from '../certificate-mode.js';
import { acmPcaInput, type AcmPcaConfig } from './input.js';

/** `acmpca` at submit: the names resolve, the PCA is ACTIVE with a usable key, the IoT CA is ACTIVE. */
export function acmPcaCheck(deps: {
  pcas: PcaDirectory;
  cas: IotCaCertificates;
  config: AcmPcaConfig;
}): ModeCheck {
  return async (request, cdf) => {
    const input = acmPcaInput(request, cdf, deps.config);
    await deps.pcas.authority(input.pcaArn);
    if (input.iotCaId !== undefined) await deps.cas.active(input.iotCaId);
  };
}
