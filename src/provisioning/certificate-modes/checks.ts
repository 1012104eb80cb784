import type { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { CertificateConfig } from '../../config.js';
import { IotCaCertificates } from '../ca/ca-certificates.js';
import { CaKeyPresence } from '../ca/ca-key-presence.js';
import { PcaDirectory } from '../ca/pca-directory.js';
import { acmPcaCheck } from './acm-pca/check.js';
import type { ModeChecks } from './certificate-mode.js';
import { createDeviceCertificateCheck } from './create-device-certificate/check.js';
import { callerCertificateOf } from './register-without-ca/input.js';

/**
 * The submit-time half of every CDF certificate mode: reads only (CA certificates, the CA key's
 * SSM metadata, PCA descriptions), never a key, never a write. The config object is read when a
 * request comes in, not copied, so aliases a local bootstrap adds are seen.
 */
export function createModeChecks(
  clients: { iot: IoTClient; ssm: SSMClient; acmpca: ACMPCAClient },
  config: CertificateConfig,
): Required<ModeChecks> {
  const cas = new IotCaCertificates(clients.iot, config.caCacheSeconds);
  const keys = new CaKeyPresence(clients.ssm, {
    keyParameterPattern: config.caKeyParameterPattern,
    cacheSeconds: config.caCacheSeconds,
  });
  return {
    createDeviceCertificate: createDeviceCertificateCheck({ cas, keys, config }),
    createDeviceAWSCertificate: () => undefined,
    registerDeviceCertificateWithoutCA: (request) => {
      callerCertificateOf(request);
    },
    acmpca: acmPcaCheck({ pcas: new PcaDirectory(clients.acmpca, config.caCacheSeconds), cas, config }),
  };
}
