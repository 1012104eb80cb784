/** The stored form of an encrypted secret (a device private key): AES-256-GCM under a data key. */
export interface Envelope {
  v: 1;
  /** `kms:<key id>` or `local`: who can unwrap the data key. */
  wrapping: string;
  /** The data key, encrypted by KMS or by the local master key (base64). */
  encryptedDataKey: string;
  iv: string;
  tag: string;
  ciphertext: string;
}
