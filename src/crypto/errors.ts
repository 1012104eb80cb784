import { InternalError } from '../errors.js';

/** A stored secret could not be decrypted: wrong key, tampering, or a task id that does not match. */
export class SecretDecryptionError extends InternalError {
  constructor(options?: ErrorOptions) {
    super('SECRET_DECRYPTION_FAILED', 'The stored private key could not be decrypted', options);
  }
}
