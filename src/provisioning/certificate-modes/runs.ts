import type { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { CertificateConfig } from '../../config.js';
import { IotCaCertificates } from '../ca/ca-certificates.js';
import { CaStore } from '../ca/ca-store.js';
import type { CertificateChains } from '../ca/certificate-chains.js';
import { PcaDirectory } from '../ca/pca-directory.js';
import { acmPcaRun } from './acm-pca/run.js';
import { awsCertificateRun } from './aws-certificate/run.js';
import type { ModeRuns } from './certificate-mode.js';
import { createDeviceCertificateRun } from './create-device-certificate/run.js';
import { registerWithoutCaRun } from './register-without-ca/run.js';

/**
 * The worker's half of every CDF certificate mode, wired to the clients and the configuration.
 * The config object is read when a task runs, not copied, so aliases a local bootstrap adds are
 * seen.
 */
export function createModeRuns(
  clients: { iot: IoTClient; ssm: SSMClient; acmpca: ACMPCAClient },
  config: CertificateConfig,
  chains: CertificateChains,
): Required<ModeRuns> {
  const cas = new CaStore(clients.iot, clients.ssm, {
    keyParameterPattern: config.caKeyParameterPattern,
    cacheSeconds: config.caCacheSeconds,
  });
  const pcas = new PcaDirectory(clients.acmpca, config.caCacheSeconds);
  return {
    createDeviceCertificate: createDeviceCertificateRun({ cas, chains, config }),
    createDeviceAWSCertificate: awsCertificateRun,
    registerDeviceCertificateWithoutCA: registerWithoutCaRun,
    acmpca: acmPcaRun({
      acmpca: clients.acmpca,
      pcas,
      cas: new IotCaCertificates(clients.iot, config.caCacheSeconds),
      chains,
      config,
    }),
  };
}
