import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Envelope } from './envelope.js';
import { SecretDecryptionError } from './errors.js';

/**
 * Envelope encryption for secrets at rest: AES-256-GCM with a data key that is itself wrapped by
 * KMS (or by a local master key where there is no KMS). The associated data (the task id) binds a
 * ciphertext to its task, so a key copied onto another task's item does not decrypt.
 *
 * A KMS data key is reused for a bounded number of seals, as the AWS Encryption SDK's caching does:
 * one GenerateDataKey per device would cost a KMS call per device in a 100,000-device bulk task.
 */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): Promise<Envelope>;
  open(envelope: Envelope, associatedData: string): Promise<string>;
}

interface DataKey {
  plaintext: Buffer;
  encrypted: string;
}

const MAX_KEY_USES = 10_000;
const MAX_KEY_AGE_MS = 5 * 60_000;
const ENCRYPTION_CONTEXT = { purpose: 'provisioning-result' };

abstract class AesGcmSecretBox implements SecretBox {
  protected abstract wrapping: string;
  protected abstract dataKeyForSeal(): Promise<DataKey>;
  protected abstract unwrap(encryptedDataKey: string): Promise<Buffer>;

  async seal(plaintext: string, associatedData: string): Promise<Envelope> {
    const key = await this.dataKeyForSeal();
    const { iv, tag, ciphertext } = aesGcmEncrypt(
      key.plaintext,
      Buffer.from(plaintext, 'utf8'),
      associatedData,
    );
    return {
      v: 1,
      wrapping: this.wrapping,
      encryptedDataKey: key.encrypted,
      iv: iv.toString('base64'),
      tag: tag.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  async open(envelope: Envelope, associatedData: string): Promise<string> {
    try {
      const dataKey = await this.unwrap(envelope.encryptedDataKey);
      return aesGcmDecrypt(dataKey, envelope, associatedData).toString('utf8');
    } catch (e: unknown) {
      throw new SecretDecryptionError({ cause: e });
    }
  }
}

export class KmsSecretBox extends AesGcmSecretBox {
  protected readonly wrapping: string;
  private current: (DataKey & { uses: number; createdAt: number }) | undefined;
  private readonly unwrapped = new Map<string, Buffer>();

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {
    super();
    this.wrapping = `kms:${keyId}`;
  }

  protected async dataKeyForSeal(): Promise<DataKey> {
    const now = Date.now();
    if (
      this.current === undefined ||
      this.current.uses >= MAX_KEY_USES ||
      now - this.current.createdAt > MAX_KEY_AGE_MS
    ) {
      const out = await this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: ENCRYPTION_CONTEXT,
        }),
      );
      if (out.Plaintext === undefined || out.CiphertextBlob === undefined) {
        throw new Error('KMS GenerateDataKey returned no key');
      }
      const encrypted = Buffer.from(out.CiphertextBlob).toString('base64');
      this.current = { plaintext: Buffer.from(out.Plaintext), encrypted, uses: 0, createdAt: now };
      this.remember(encrypted, this.current.plaintext);
    }
    this.current.uses += 1;
    return this.current;
  }

  protected async unwrap(encryptedDataKey: string): Promise<Buffer> {
    const cached = this.unwrapped.get(encryptedDataKey);
    if (cached !== undefined) return cached;
    const out = await this.kms.send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(encryptedDataKey, 'base64'),
        EncryptionContext: ENCRYPTION_CONTEXT,
      }),
    );
    if (out.Plaintext === undefined) throw new Error('KMS Decrypt returned no key');
    const key = Buffer.from(out.Plaintext);
    this.remember(encryptedDataKey, key);
    return key;
  }

  private remember(encrypted: string, key: Buffer): void {
    // A small bound: keys rotate every few minutes, so only the latest few are ever asked for.
    if (this.unwrapped.size >= 64) this.unwrapped.delete(this.unwrapped.keys().next().value ?? '');
    this.unwrapped.set(encrypted, key);
  }
}

export class LocalSecretBox extends AesGcmSecretBox {
  protected readonly wrapping = 'local';

  constructor(private readonly masterKey: Buffer) {
    super();
    if (masterKey.length !== 32) throw new Error('The local master key must be 32 bytes');
  }

  protected dataKeyForSeal(): Promise<DataKey> {
    const plaintext = randomBytes(32);
    const { iv, tag, ciphertext } = aesGcmEncrypt(this.masterKey, plaintext, this.wrapping);
    return Promise.resolve({ plaintext, encrypted: Buffer.concat([iv, tag, ciphertext]).toString('base64') });
  }

  protected unwrap(encryptedDataKey: string): Promise<Buffer> {
    const raw = Buffer.from(encryptedDataKey, 'base64');
    const parts = { iv: raw.subarray(0, 12), tag: raw.subarray(12, 28), ciphertext: raw.subarray(28) };
    return Promise.resolve(aesGcmDecrypt(this.masterKey, parts, this.wrapping));
  }
}

function aesGcmEncrypt(key: Buffer, plaintext: Buffer, associatedData: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function aesGcmDecrypt(
  key: Buffer,
  parts: { iv: Buffer | string; tag: Buffer | string; ciphertext: Buffer | string },
  associatedData: string,
): Buffer {
  const bytes = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v, 'base64') : v);
  // Without a fixed tag length GCM accepts a tag cut down to 4 bytes, which is far easier to forge.
  const decipher = createDecipheriv('aes-256-gcm', key, bytes(parts.iv), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(bytes(parts.tag));
  return Buffer.concat([decipher.update(bytes(parts.ciphertext)), decipher.final()]);
}
