import type { SecretBox } from '../crypto/secret-box.js';
import type { CertificateChains } from './ca/certificate-chains.js';

/**
 * What a task's result is read with for its caller: the device key's decryption, and the CA
 * chains stored once for many devices.
 */
export interface ResultReaders {
  secrets: SecretBox;
  chains: Pick<CertificateChains, 'pem'>;
}
