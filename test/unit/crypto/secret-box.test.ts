import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Envelope } from '../../../src/crypto/envelope.js';
import { SecretDecryptionError } from '../../../src/crypto/errors.js';
import { LocalSecretBox } from '../../../src/crypto/secret-box.js';

const PRIVATE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const TASK = 'task-0001';
const box = new LocalSecretBox(randomBytes(32));

/** Flips one bit of a base64 field, keeping its length. */
function flipBit(base64: string, byte = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

async function refused(opening: Promise<string>): Promise<SecretDecryptionError> {
  try {
    await opening;
  } catch (e: unknown) {
    if (e instanceof SecretDecryptionError) return e;
    throw e;
  }
  throw new Error('the envelope opened');
}

describe('LocalSecretBox', () => {
  it('opens what it sealed', async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    await expect(box.open(envelope, TASK)).resolves.toBe(PRIVATE_KEY);
  });

  it('round-trips empty, unicode and long text', async () => {
    for (const text of ['', 'ünïcødé 🔑', 'x'.repeat(100_000)]) {
      await expect(box.open(await box.seal(text, TASK), TASK)).resolves.toBe(text);
    }
  });

  it('makes a version 1 envelope of base64 fields, wrapped locally', async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    expect(Object.keys(envelope).sort()).toEqual([
      'ciphertext',
      'encryptedDataKey',
      'iv',
      'tag',
      'v',
      'wrapping',
    ]);
    expect(envelope).toMatchObject({ v: 1, wrapping: 'local' });
    expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.tag, 'base64')).toHaveLength(16);
    // 12-byte iv + 16-byte tag + 32-byte data key.
    expect(Buffer.from(envelope.encryptedDataKey, 'base64')).toHaveLength(60);
  });

  it('keeps no trace of the plaintext in the envelope', async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    const stored = JSON.stringify(envelope);
    expect(stored).not.toContain('PRIVATE KEY');
    for (const line of PRIVATE_KEY.split('\n').filter((l) => l.length > 8))
      expect(stored).not.toContain(line);
    const decoded = Object.values(envelope)
      .filter((v): v is string => typeof v === 'string')
      .map((v) => Buffer.from(v, 'base64').toString('latin1'))
      .join('');
    expect(decoded).not.toContain('PRIVATE KEY');
  });

  it('gives different envelopes for the same text, each openable', async () => {
    const a = await box.seal(PRIVATE_KEY, TASK);
    const b = await box.seal(PRIVATE_KEY, TASK);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.iv).not.toBe(b.iv);
    expect(a.encryptedDataKey).not.toBe(b.encryptedDataKey);
    await expect(box.open(a, TASK)).resolves.toBe(PRIVATE_KEY);
    await expect(box.open(b, TASK)).resolves.toBe(PRIVATE_KEY);
  });

  it("refuses to open an envelope with another task's id", async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    const error = await refused(box.open(envelope, 'task-0002'));
    expect(error).toMatchObject({ code: 'SECRET_DECRYPTION_FAILED', kind: 'internal' });
    // The cause comes from node:crypto, outside jest's realm, so `toBeInstanceOf(Error)` cannot see it.
    expect(error.cause).toHaveProperty('message');
    await refused(box.open(envelope, ''));
  });

  it('refuses an envelope sealed under another master key', async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    await refused(new LocalSecretBox(randomBytes(32)).open(envelope, TASK));
  });

  it.each(['ciphertext', 'tag', 'iv', 'encryptedDataKey'] as const)(
    'refuses a tampered %s',
    async (field) => {
      const envelope = await box.seal(PRIVATE_KEY, TASK);
      await refused(box.open({ ...envelope, [field]: flipBit(envelope[field]) }, TASK));
      const last = Buffer.from(envelope[field], 'base64').length - 1;
      await refused(box.open({ ...envelope, [field]: flipBit(envelope[field], last) }, TASK));
    },
  );

  it('refuses a ciphertext cut short or grown', async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    const bytes = Buffer.from(envelope.ciphertext, 'base64');
    for (const ciphertext of [bytes.subarray(0, -1), Buffer.concat([bytes, Buffer.from([0])])]) {
      await refused(box.open({ ...envelope, ciphertext: ciphertext.toString('base64') }, TASK));
    }
  });

  it.each([0, 4, 8, 12, 15])('refuses an authentication tag truncated to %i bytes', async (length) => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    const tag = Buffer.from(envelope.tag, 'base64').subarray(0, length).toString('base64');
    await refused(box.open({ ...envelope, tag }, TASK));
  });

  it('refuses a wrapped data key with bytes cut out of its tag', async () => {
    const envelope = await box.seal(PRIVATE_KEY, TASK);
    const raw = Buffer.from(envelope.encryptedDataKey, 'base64');
    // The iv, only the first 4 bytes of the tag, then the wrapped key.
    const truncated = Buffer.concat([raw.subarray(0, 16), raw.subarray(28)]).toString('base64');
    await refused(box.open({ ...envelope, encryptedDataKey: truncated }, TASK));
  });

  it('refuses a ciphertext moved under another envelope', async () => {
    const a = await box.seal('first secret', TASK);
    const b = await box.seal('other secret', TASK);
    const mixed: Envelope = { ...a, ciphertext: b.ciphertext };
    await refused(box.open(mixed, TASK));
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => new LocalSecretBox(randomBytes(16))).toThrow('32 bytes');
    expect(() => new LocalSecretBox(Buffer.alloc(0))).toThrow('32 bytes');
  });
});
