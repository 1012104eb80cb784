import type { CertInfo, ParsedCsr } from '../../../certificates/index.js';
import type { CertificateConfig } from '../../../config.js';
import type { ProvisionRequest } from '../../../tasks/request.js';
import { CaError } from '../../ca/errors.js';
import { csrOf, daysOf, parametersOf, subjectOf } from '../mode-inputs.js';

/** What a `createDeviceCertificate` request asks for, read the same way at submit and in the worker. */
export interface CreateDeviceCertificateInput {
  caId: string;
  csr: ParsedCsr | undefined;
  subject: CertInfo;
  days: number;
}

export function createDeviceCertificateInput(
  request: ProvisionRequest,
  config: Pick<CertificateConfig, 'deviceCertificateDays'>,
): CreateDeviceCertificateInput {
  const parameters = parametersOf(request);
  if (parameters.caId === undefined) {
    throw new CaError(
      'CA_ID_REQUIRED',
      'createDeviceCertificate needs cdfProvisioningParameters.caId: the id of the AWS IoT CA certificate to sign with',
    );
  }
  const csr = csrOf(parameters);
  return {
    caId: parameters.caId,
    csr,
    subject: subjectOf(parameters, csr),
    days: daysOf(parameters, config.deviceCertificateDays),
  };
}
