import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createLogger, REDACTED, redact, type Logger } from '../../src/logger.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });

/** Real private keys in each PEM flavour the redaction must recognise. */
const PEMS = {
  pkcs8: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trimEnd(),
  rsa: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trimEnd(),
  ec: ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString().trimEnd(),
  encrypted: ec.privateKey
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass phrase' })
    .toString()
    .trimEnd(),
};
const PEM = PEMS.pkcs8;
const PUBLIC_PEM = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A line of base64 from inside the key: if it appears anywhere, the key leaked. */
function bodyOf(pem: string): string {
  const line = pem.split('\n')[1];
  if (line === undefined || line.length < 20) throw new Error('unexpected PEM shape');
  return line;
}

function capture(level = 'debug'): { logger: Logger; lines: () => Promise<Record<string, unknown>[]> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger({ level, stream });
  return {
    logger,
    lines: async () => {
      // winston pipes to the transport asynchronously.
      await new Promise((resolve) => setImmediate(resolve));
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

describe('redact', () => {
  it.each(Object.entries(PEMS))('replaces a %s private key inside a longer string', (_, pem) => {
    const out = redact(`before\n${pem}\nafter`);
    expect(out).toBe(`before\n${REDACTED}\nafter`);
    expect(out).not.toContain(bodyOf(pem));
  });

  it('replaces every key in a string holding several, keeping the text between them', () => {
    expect(redact(`a ${PEMS.rsa} b ${PEMS.ec} c`)).toBe(`a ${REDACTED} b ${REDACTED} c`);
  });

  it('replaces a key whose END line was cut off, up to the end of the string', () => {
    const truncated = PEM.slice(0, 80);
    expect(redact(`key: ${truncated}`)).toBe(`key: ${REDACTED}`);
  });

  it('replaces keys in nested objects and arrays', () => {
    const out = redact({ outer: { list: ['ok', { pem: PEM }], deeper: [[PEMS.rsa]] } });
    expect(out).toEqual({ outer: { list: ['ok', { pem: REDACTED }], deeper: [[REDACTED]] } });
  });

  it.each(['privateKey', 'private_key', 'PrivateKey', 'secret', 'clientSecret', 'token', 'sessionToken'])(
    'redacts the value of a field named %s whatever it holds',
    (name) => {
      expect(redact({ [name]: 'harmless-looking', other: 'kept' })).toEqual({
        [name]: REDACTED,
        other: 'kept',
      });
      expect(redact({ [name]: { nested: 1 } })).toEqual({ [name]: REDACTED });
    },
  );

  it.each([
    'caKey',
    'ca_key',
    'dataKey',
    'authorization',
    'Authorization',
    'password',
    'passphrase',
    'plaintext',
  ])('redacts the value of a field named %s', (name) => {
    expect(redact({ nested: { [name]: 42 } })).toEqual({ nested: { [name]: REDACTED } });
  });

  it('leaves non-secret data exactly as it was', () => {
    const data = {
      thingName: 'pump-7',
      certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      publicKey: PUBLIC_PEM,
      count: 3,
      ok: true,
      none: null,
      list: [1, 'two', { three: 3 }],
    };
    expect(redact(data)).toEqual(data);
    expect(redact('plain text')).toBe('plain text');
    expect(redact(7)).toBe(7);
    expect(redact(undefined)).toBeUndefined();
  });

  it('does not modify the object it was given', () => {
    const data = { privateKey: PEM, nested: { pem: PEM } };
    redact(data);
    expect(data).toEqual({ privateKey: PEM, nested: { pem: PEM } });
  });

  it('replaces raw bytes, which could be key material', () => {
    expect(redact({ blob: Buffer.from('secret bytes') })).toEqual({ blob: REDACTED });
    expect(redact({ blob: new Uint8Array([1, 2, 3]) })).toEqual({ blob: REDACTED });
  });

  it('redacts an Error: its message and its own properties', () => {
    const error = Object.assign(new Error(`could not parse ${PEMS.rsa}`), {
      detail: PEMS.ec,
      privateKey: 'anything',
      code: 'E_PARSE',
    });
    expect(redact(error)).toEqual({
      name: 'Error',
      message: `could not parse ${REDACTED}`,
      detail: REDACTED,
      privateKey: REDACTED,
      code: 'E_PARSE',
    });
  });

  it('does not give up on deeply nested values', () => {
    let deep: Record<string, unknown> = { pem: PEM, privateKey: 'x' };
    for (let i = 0; i < 20; i++) deep = { level: deep };
    const out = JSON.stringify(redact({ deep }));
    expect(out).not.toContain(bodyOf(PEM));
    expect(out).not.toContain('"privateKey":"x"');
  });

  it('keeps ordinary nesting intact', () => {
    const nested = { a: { b: { c: { d: { e: { f: ['g', { h: 1 }] } } } } } };
    expect(redact(nested)).toEqual(nested);
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line with level, message and timestamp', async () => {
    const { logger, lines } = capture();
    logger.info('hello', { thingName: 'pump-7', count: 2 });
    logger.warn('second');
    const [first, second, ...rest] = await lines();
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ level: 'info', message: 'hello', thingName: 'pump-7', count: 2 });
    expect(Number.isNaN(Date.parse(String(first?.timestamp)))).toBe(false);
    expect(second).toMatchObject({ level: 'warn', message: 'second' });
  });

  it('honours the level', async () => {
    const { logger, lines } = capture('warn');
    logger.info('dropped');
    logger.debug('dropped too');
    logger.error('kept');
    expect((await lines()).map((l) => l.message)).toEqual(['kept']);
  });

  it.each(Object.entries(PEMS))('removes a %s private key from the message', async (_, pem) => {
    const { logger, lines } = capture();
    logger.info(`generated ${pem}\nfor pump-7`);
    const [line] = await lines();
    expect(line?.message).toBe(`generated ${REDACTED}\nfor pump-7`);
    expect(JSON.stringify(line)).not.toContain(bodyOf(pem));
  });

  it('removes private keys from metadata, nested objects and arrays', async () => {
    const { logger, lines } = capture();
    logger.info('result', {
      thingName: 'pump-7',
      output: `key=${PEMS.ec}`,
      result: {
        devices: [
          { name: 'a', pem: PEMS.rsa },
          { name: 'b', keys: [PEMS.pkcs8] },
        ],
      },
    });
    const [line] = await lines();
    expect(line).toMatchObject({
      thingName: 'pump-7',
      output: `key=${REDACTED}`,
      result: {
        devices: [
          { name: 'a', pem: REDACTED },
          { name: 'b', keys: [REDACTED] },
        ],
      },
    });
    const raw = JSON.stringify(line);
    for (const pem of Object.values(PEMS)) expect(raw).not.toContain(bodyOf(pem));
  });

  it('redacts secret-named fields at the top level and below, whatever they hold', async () => {
    const { logger, lines } = capture();
    logger.info('call', {
      privateKey: 'not even a PEM',
      token: 12345,
      headers: { Authorization: 'Bearer abc.def', accept: 'application/json' },
      keys: { caKey: { any: 'thing' }, dataKey: 'AAAA', keyAlgorithm: 'EC-P256' },
    });
    const [line] = await lines();
    expect(line).toMatchObject({
      privateKey: REDACTED,
      token: REDACTED,
      headers: { Authorization: REDACTED, accept: 'application/json' },
      keys: { caKey: REDACTED, dataKey: REDACTED, keyAlgorithm: 'EC-P256' },
    });
    const raw = JSON.stringify(line);
    expect(raw).not.toContain('not even a PEM');
    expect(raw).not.toContain('Bearer abc.def');
  });

  it('redacts an Error passed as metadata, including its stack and own properties', async () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error(`bad key ${PEMS.rsa}`), { input: PEMS.ec, secret: 's3' });
    logger.error('failed', error);
    const [line] = await lines();
    expect(line).toMatchObject({ level: 'error', input: REDACTED, secret: REDACTED });
    expect(line?.message).toBe(`failed bad key ${REDACTED}`);
    expect(String(line?.stack)).toContain(`bad key ${REDACTED}`);
    const raw = JSON.stringify(line);
    expect(raw).not.toContain(bodyOf(PEMS.rsa));
    expect(raw).not.toContain(bodyOf(PEMS.ec));
  });

  it('redacts an Error nested in metadata', async () => {
    const { logger, lines } = capture();
    const cause = Object.assign(new Error(`wrapped ${PEM}`), { code: 'E1', token: 't' });
    logger.warn('retrying', { error: cause, attempts: [cause] });
    const [line] = await lines();
    const expected = { name: 'Error', message: `wrapped ${REDACTED}`, code: 'E1', token: REDACTED };
    expect(line).toMatchObject({ error: expected, attempts: [expected] });
    expect(JSON.stringify(line)).not.toContain(bodyOf(PEM));
  });

  it('leaves ordinary log lines untouched', async () => {
    const { logger, lines } = capture();
    const meta = {
      thingName: 'pump-7',
      certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      publicKey: PUBLIC_PEM,
      resourceArns: { thing: 'arn:aws:iot:eu-west-1:123456789012:thing/pump-7' },
      attempts: [1, 2],
    };
    logger.info('task succeeded', meta);
    const [line] = await lines();
    expect(line).toMatchObject({ message: 'task succeeded', ...meta });
  });

  it('puts the child logger taskId on every line, and not on the parent', async () => {
    const { logger, lines } = capture();
    const child = logger.child({ taskId: 'task-42' });
    child.info('started');
    child.warn('slow', { step: 'thing' });
    child.error(`failed with ${PEM}`);
    logger.info('parent');
    const out = await lines();
    expect(out.map((l) => [l.message, l.taskId])).toEqual([
      ['started', 'task-42'],
      ['slow', 'task-42'],
      [`failed with ${REDACTED}`, 'task-42'],
      ['parent', undefined],
    ]);
    expect(out[1]).toMatchObject({ step: 'thing' });
  });
});
