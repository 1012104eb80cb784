/**
 * Certificates per second for each path of the certificate layer, next to the native limits
 * measured in the same run. `npx tsx bench/certificates.ts [seconds per row, default 10]`
 *
 * Each row gives the wall-clock rate and the rate per CPU-second this process used (all its
 * threads). On a machine shared with other work only the second is comparable between runs, and it
 * is what `openssl speed` reports (it divides by CPU time unless given -elapsed).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { promisify } from 'node:util';
import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  parseCsr,
  type CaSigner,
  type CertInfo,
  type DeviceKeyAlgorithm,
} from '../src/certificates/index.js';
import { makeCsr, selfSigned, type KeySpec } from '../test/unit/certificates/fixtures.js';

const SECONDS = Number(process.argv[2] ?? 10);
const CORES = availableParallelism();
/** Enough key generations in flight to keep every libuv thread, hence every core, busy. */
const IN_FLIGHT = 4 * CORES;
/** RSA key generation time varies widely per key: more, alternating rounds even out load drift. */
const RSA_ROUNDS = 3;
const SUBJECT: CertInfo = { country: 'US', organization: 'Acme', commonName: 'device-000001' };
const DAYS = 365;

class Sample {
  constructor(
    readonly count = 0,
    readonly wallSeconds = 0,
    readonly cpuSeconds = 0,
  ) {}
  plus(o: Sample): Sample {
    return new Sample(this.count + o.count, this.wallSeconds + o.wallSeconds, this.cpuSeconds + o.cpuSeconds);
  }
  get wall(): number {
    return this.count / this.wallSeconds;
  }
  get perCpuSecond(): number {
    return this.count / this.cpuSeconds;
  }
}

/** Counts what `run` completes in SECONDS, with the wall and CPU time (all threads) it took. */
async function measure(run: (end: number, done: () => void) => Promise<void> | void): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let count = 0;
  await run(start + SECONDS * 1000, () => count++);
  const { user, system } = process.cpuUsage(cpu);
  return new Sample(count, (performance.now() - start) / 1000, (user + system) / 1e6);
}

/** `once` back to back on this thread: a one-core rate. */
const syncRate = (once: () => void) =>
  measure((end, done) => {
    while (performance.now() < end) {
      once();
      done();
    }
  });

/** `IN_FLIGHT` calls of `once` running at all times: an all-cores rate. */
const asyncRate = (once: () => Promise<unknown>) =>
  measure(async (end, done) => {
    const lane = async () => {
      while (performance.now() < end) {
        await once();
        done();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  });

/** Runs the measurements in turn, RSA_ROUNDS times, and sums each one's samples. */
async function alternating(...runs: (() => Promise<Sample>)[]): Promise<Sample[]> {
  const totals = runs.map(() => new Sample());
  for (let round = 0; round < RSA_ROUNDS; round++) {
    for (const [i, run] of runs.entries()) totals[i] = (totals[i] ?? new Sample()).plus(await run());
  }
  return totals;
}

function opensslSignRates(): { rsa2048: number; ecdsaP256: number } {
  const out = execFileSync('openssl', ['speed', '-seconds', '3', 'rsa2048', 'ecdsap256'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const signPerSecond = (row: RegExp) => Number(row.exec(out)?.[1] ?? NaN);
  return {
    rsa2048: signPerSecond(/rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)/),
    ecdsaP256: signPerSecond(/256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+([\d.]+)/),
  };
}

function caSigner(key: KeySpec): CaSigner {
  const ca = selfSigned({ key });
  return loadCaSigner(ca.certificatePem, ca.privateKeyPem);
}

const serverMadeKey = (signer: CaSigner, algorithm: DeviceKeyAlgorithm) => async () => {
  const { publicKeyPem } = await generateDeviceKeyPair(algorithm);
  return issueDeviceCertificate(signer, { publicKey: publicKeyPem, subject: SUBJECT, days: DAYS });
};

function csrSigning(signer: CaSigner, csrKey: KeySpec): () => void {
  const csrs = Array.from({ length: 16 }, () => makeCsr(csrKey).csrPem);
  let i = 0;
  return () => {
    const { publicKey } = parseCsr(csrs[i++ % csrs.length] ?? '');
    issueDeviceCertificate(signer, { publicKey, subject: SUBJECT, days: DAYS });
  };
}

async function cdfOriginal(): Promise<string> {
  const cdfDependency = 'pem'; // a variable, so TypeScript does not look for its types
  try {
    await import(cdfDependency);
    return 'the pem package is installed but this bench does not drive it';
  } catch {
    return 'QUOTED from the issue, not measured (pem package not installed): ~4.2 devices/s key+CSR+cert, ~29 CSR signatures/s';
  }
}

const fmt = (perSecond: number) => `${perSecond.toFixed(perSecond < 100 ? 1 : 0)}/s`.padStart(9);
const percent = (x: number, of: number) => `${((100 * x) / of).toFixed(0)}%`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** A Sample fills both columns; a bare number is a CPU-time rate (openssl's). */
function row(label: string, r: Sample | number, note = ''): void {
  const columns = typeof r === 'number' ? fmt(r).padStart(19) : `${fmt(r.wall)} ${fmt(r.perCpuSecond)}`;
  console.log(`  ${label.padEnd(50)}${columns}  ${note}`);
}

const [rsaCa, ecCa] = [caSigner('rsa:2048'), caSigner('ec:P-256')];
const csrRows = [
  ['RSA-2048 CA, RSA-2048 CSR', csrSigning(rsaCa, 'rsa:2048')],
  ['RSA-2048 CA, EC P-256 CSR', csrSigning(rsaCa, 'ec:P-256')],
  ['EC P-256 CA, RSA-2048 CSR', csrSigning(ecCa, 'rsa:2048')],
  ['EC P-256 CA, EC P-256 CSR', csrSigning(ecCa, 'ec:P-256')],
] as const;

console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${CORES} cores, Node ${process.version}, ` +
    `${execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim()}\n` +
    `${SECONDS} s per row (RSA key rows: ${RSA_ROUNDS} alternating rounds); load average at start ${load()}`,
);
console.log(`  ${''.padEnd(50)}${'wall'.padStart(9)} ${'per CPU-s'.padStart(9)}`);
console.log('native limits, same run:');
const native = opensslSignRates();
row('openssl speed rsa2048 sign, 1 core (CPU time)', native.rsa2048);
row('openssl speed ecdsap256 sign, 1 core (CPU time)', native.ecdsaP256);
const keygen = promisify(generateKeyPair);
const [nativeKeygen = new Sample(), a = new Sample()] = await alternating(
  () => asyncRate(() => keygen('rsa', { modulusLength: 2048 })),
  () => asyncRate(serverMadeKey(rsaCa, 'RSA-2048')),
);
row(`Node async RSA-2048 keygen, ${CORES} cores busy`, nativeKeygen);

console.log('paths:');
row(
  `(a) RSA-2048 key + cert (RSA CA), ${CORES} cores`,
  a,
  `${percent(a.perCpuSecond, nativeKeygen.perCpuSecond)} of native keygen per CPU-s, ` +
    `${percent(a.wall, nativeKeygen.wall)} wall (target >= 90%)`,
);
for (const [label, once] of csrRows) {
  row(`(b) CSR signing, ${label}, 1 core`, await syncRate(once), '(target >= 450/s per core)');
}
for (const [label, signer] of [
  ['EC P-256 CA', ecCa],
  ['RSA-2048 CA', rsaCa],
] as const) {
  const c = await asyncRate(serverMadeKey(signer, 'EC-P256'));
  row(
    `(c) EC P-256 key + cert (${label}), ${CORES} cores`,
    c,
    `wall = ${fmt(c.wall / CORES).trim()} per core (target >= 450/s per core)`,
  );
}
console.log(`(d) CDF original path: ${await cdfOriginal()}`);
console.log(`load average at end ${load()}`);
