/**
 * Throw-away CAs, CSRs and certificates made by the openssl CLI at test time: an oracle that
 * shares no code with src/certificates. Nothing here is ever written into the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateError } from '../../../src/certificates/index.js';

/**
 * Runs openssl in a fresh temporary directory holding `files`; returns stdout and the
 * files it left behind. Throws (with openssl's stderr) when openssl fails.
 */
export function openssl(args: string[], files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'certs-test-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const stdout = execFileSync('openssl', args, {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const outputs: Record<string, string> = {};
    for (const name of args.filter((a) => /\.(pem|key|csr|der)$/.test(a) && !(a in files))) {
      outputs[name] = readFileSync(join(dir, name), 'utf8');
    }
    return { stdout, outputs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `rsa:<bits>` or `ec:<curve>`, e.g. `ec:P-256`, `ec:secp256k1`. */
export type KeySpec = `rsa:${number}` | `ec:${string}`;

function newKeyArgs(spec: KeySpec): string[] {
  const [type = '', size = ''] = spec.split(':');
  return type === 'rsa' ? ['-newkey', spec] : ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${size}`];
}

/** A config without default extensions, so only `-addext` ones appear; `extra` goes into [req]. */
const bareConfig = (extra = '') => `[req]\ndistinguished_name = dn\n${extra}\n[dn]\n`;

export interface KeyAndCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export const CA_EXTENSIONS = [
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier=hash',
];

/** A self-signed certificate, by default a CA with basicConstraints, keyUsage and an SKI. */
export function selfSigned({
  key = 'rsa:2048',
  keyPem,
  subject = '/C=DE/O=Acme Test/CN=Test CA',
  days = 3650,
  digest = 'sha256',
  extensions = CA_EXTENSIONS,
  extraArgs = [],
  reqConfig = '',
}: {
  key?: KeySpec;
  /** Use this existing key instead of making one of kind `key`. */
  keyPem?: string;
  subject?: string;
  days?: number;
  digest?: string;
  extensions?: string[];
  extraArgs?: string[];
  reqConfig?: string;
} = {}): KeyAndCertificate {
  const keyArgs = keyPem ? ['-key', 'existing.key'] : [...newKeyArgs(key), '-nodes', '-keyout', 'key.pem'];
  const { outputs } = openssl(
    [
      ...[
        'req',
        '-x509',
        '-config',
        'bare.cnf',
        ...keyArgs,
        `-${digest}`,
        '-days',
        String(days),
        '-subj',
        subject,
      ],
      ...extensions.flatMap((e) => ['-addext', e]),
      ...extraArgs,
      ...['-out', 'cert.pem'],
    ],
    { 'bare.cnf': bareConfig(reqConfig), ...(keyPem ? { 'existing.key': keyPem } : {}) },
  );
  return { certificatePem: outputs['cert.pem'] ?? '', privateKeyPem: keyPem ?? outputs['key.pem'] ?? '' };
}

/** A CSR for a new key; `subject` is read as UTF-8, so it can hold any character. */
export function makeCsr(key: KeySpec, subject = '/C=US/O=Device Maker/CN=device-0001', digest = 'sha256') {
  const { outputs } = openssl(
    [
      'req',
      '-new',
      '-config',
      'bare.cnf',
      ...newKeyArgs(key),
      '-nodes',
      '-utf8',
      `-${digest}`,
      '-subj',
      subject,
      '-keyout',
      'key.pem',
      '-out',
      'csr.pem',
    ],
    { 'bare.cnf': bareConfig() },
  );
  return { csrPem: outputs['csr.pem'] ?? '', privateKeyPem: outputs['key.pem'] ?? '' };
}

/** A self-signed certificate valid only between two past dates, e.g. `20200101000000Z`, via `openssl ca`. */
export function outdated(startDate: string, endDate: string): KeyAndCertificate {
  const { csrPem, privateKeyPem } = makeCsr('ec:P-256', '/CN=outdated');
  const config =
    '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\npolicy = p\ndefault_md = sha256\n[p]\ncommonName = supplied\n';
  const { outputs } = openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'key.pem',
      '-in',
      'csr.pem',
      '-notext',
      '-startdate',
      startDate,
      '-enddate',
      endDate,
      '-out',
      'cert.pem',
    ],
    { 'ca.cnf': config, 'index.txt': '', serial: '01\n', 'key.pem': privateKeyPem, 'csr.pem': csrPem },
  );
  return { certificatePem: outputs['cert.pem'] ?? '', privateKeyPem };
}

/** `openssl verify [-x509_strict]` of `certificatePem` against `caPem`; throws with openssl's reason on failure. */
export function opensslVerify(caPem: string, certificatePem: string, strict = true): string {
  const args = ['verify', ...(strict ? ['-x509_strict'] : []), '-CAfile', 'ca.pem', 'cert.pem'];
  return openssl(args, { 'ca.pem': caPem, 'cert.pem': certificatePem }).stdout;
}

export function opensslText(certificatePem: string): string {
  return openssl(['x509', '-in', 'cert.pem', '-noout', '-text', '-nameopt', 'RFC2253'], {
    'cert.pem': certificatePem,
  }).stdout;
}

/**
 * The CertificateError that `fn` throws; anything else thrown, or nothing, fails the test. So does
 * a message that could carry key material: a PEM label or a long base64 run.
 */
export function thrown(fn: () => unknown): CertificateError {
  try {
    fn();
  } catch (e: unknown) {
    if (!(e instanceof CertificateError)) throw e;
    if (/PRIVATE KEY-----|[A-Za-z0-9+/]{40}/.test(e.message))
      throw new Error(`message may leak key material: ${e.message}`);
    return e;
  }
  throw new Error('expected a CertificateError, but nothing was thrown');
}

/** `pem` with one byte of its DER changed: at `index`, or where `find` first occurs. */
export function tampered(pem: string, at: number | string): string {
  const [, label = '', body = ''] = /-----BEGIN ([A-Z ]+)-----([\s\S]+?)-----END/.exec(pem) ?? [];
  const der = Buffer.from(body, 'base64');
  const index = typeof at === 'number' ? (at + der.length) % der.length : der.indexOf(at);
  if (index < 0) throw new Error(`${String(at)} not found in the DER`);
  der.writeUInt8(der.readUInt8(index) ^ 0x01, index);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
