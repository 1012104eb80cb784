import type { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { CertificateConfig } from '../../config.js';
import { CaStore } from '../ca/ca-store.js';
import { PcaDirectory } from '../ca/pca-directory.js';
import type { CertificateModeName } from '../cdf-block.js';
import { acmPcaMode } from './acm-pca.js';
import { awsCertificateMode } from './aws-certificate.js';
import type { CertificateMode } from './certificate-mode.js';
import { createDeviceCertificateMode } from './create-device-certificate.js';
import { registerWithoutCaMode } from './register-without-ca.js';

/**
 * Every CDF certificate mode, wired to the clients and the configuration. The config object is
 * read when a request comes in, not copied, so aliases a local bootstrap adds are seen.
 */
export function createCertificateModes(
  clients: { iot: IoTClient; ssm: SSMClient; acmpca: ACMPCAClient },
  config: CertificateConfig,
): Record<CertificateModeName, CertificateMode> {
  const cas = new CaStore(clients.iot, clients.ssm, {
    keyParameterPattern: config.caKeyParameterPattern,
    cacheSeconds: config.caCacheSeconds,
  });
  const pcas = new PcaDirectory(clients.acmpca, config.caCacheSeconds);
  return {
    createDeviceCertificate: createDeviceCertificateMode({ cas, config }),
    createDeviceAWSCertificate: awsCertificateMode,
    registerDeviceCertificateWithoutCA: registerWithoutCaMode,
    acmpca: acmPcaMode({ acmpca: clients.acmpca, pcas, cas, config }),
  };
}
