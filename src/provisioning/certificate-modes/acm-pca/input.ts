import type { CertInfo } from '../../../certificates/index.js';
import type { CertificateConfig } from '../../../config.js';
import type { ProvisionRequest } from '../../../tasks/request.js';
import type { CdfBlock } from '../../../templates/cdf-block.js';
import { resolveIotCa, resolvePcaArn } from '../../ca/aliases.js';
import { csrOf, daysOf, eitherSpelling, parametersOf, subjectOf } from '../mode-inputs.js';

/** What an `acmpca` request asks for, read the same way at submit and in the worker. */
export interface AcmPcaInput {
  pcaArn: string;
  /** REGISTER_WITH_CA: the AWS IoT CA that must have issued the PCA's certificates. */
  iotCaId: string | undefined;
  csr: string | undefined;
  /** Only when the service makes the key and CSR. */
  subject: CertInfo | undefined;
  days: number;
}

export type AcmPcaConfig = Pick<
  CertificateConfig,
  'deviceCertificateDays' | 'pcaWaitSeconds' | 'pcaAliases' | 'iotCaAliases'
>;

/** CA names: the request's before the template's CDF.acmpca block; an ARN or an alias, not both. */
export function acmPcaInput(request: ProvisionRequest, cdf: CdfBlock, config: AcmPcaConfig): AcmPcaInput {
  const parameters = parametersOf(request);
  const block = cdf.acmpca;
  const template = "the template's CDF.acmpca block";
  const pcaArn = resolvePcaArn(
    [
      {
        arn: eitherSpelling(parameters, ['acmpcaCaArn', 'amcpcaCaArn']),
        alias: eitherSpelling(parameters, ['acmpcaCaAlias', 'amcpcaCaAlias']),
        where: 'cdfProvisioningParameters',
      },
      { arn: block?.acmpcaCaArn, alias: block?.acmpcaCaAlias, where: template },
    ],
    config,
  );
  const iotCaId =
    block?.mode === 'REGISTER_WITH_CA'
      ? resolveIotCa(
          [
            {
              arn: parameters.awsiotCaArn,
              alias: parameters.awsiotCaAlias,
              where: 'cdfProvisioningParameters',
            },
            { arn: block.awsiotCaArn, alias: block.awsiotCaAlias, where: template },
          ],
          config,
        ).caId
      : undefined;
  const csr = csrOf(parameters);
  return {
    pcaArn,
    iotCaId,
    csr: csr === undefined ? undefined : parameters.csr,
    subject: csr === undefined ? subjectOf(parameters, undefined) : undefined,
    days: daysOf(parameters, config.deviceCertificateDays),
  };
}
