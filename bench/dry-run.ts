import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVISION_BIN } from '../test/support/cli.js';
import {
  putThingTemplate,
  startBenchStack,
  startProcess,
  type BenchProcess,
  type BenchStack,
} from './local-stack.js';
import { procStats } from './proc-stats.js';

/**
 * Issue 9's dry-run figures on the local stack (API, worker and emulator each in their own process):
 *  1. the local pre-flight (`provision check`) for each pre-flight size: time and peak RSS, so
 *     "flat memory" is a comparison of sizes;
 *  2. the service's dry run through the CLI (`provision bulk FILE --dry-run`) for each dry-run
 *     size: time, lines/s, the CLI's, the worker's and the emulator's peak RSS and CPU;
 *  3. `provision status ID --failures` and `provision follow ID` over that dry run's report.
 * One line in 100 is a problem (half of them name a thing of a line 60 lines before, in another
 * chunk; half an invalid thing name), so the report grows with the input as a real one would.
 *
 *   npx tsx bench/dry-run.ts [dry-run lines=10000,100000] [pre-flight lines=10000,100000,1000000]
 */
const dryRunSizes = (process.argv[2] ?? '10000,100000').split(',').filter(Boolean).map(Number);
const preflightSizes = (process.argv[3] ?? '10000,100000,1000000').split(',').filter(Boolean).map(Number);
const work = await mkdtemp(join(tmpdir(), 'bench-dry-run-'));

interface Timed {
  code: number | null;
  seconds: number;
  /** User and system CPU time: on a shared machine a steadier figure than the wall clock. */
  cpuSeconds: number;
  peakRssMb: number;
  output: string;
}

/**
 * `provision` under GNU time, so its peak RSS is the kernel's figure for that process. The bin is
 * run as `npx provision` runs it (executed, so its shebang's Node flags apply), not as `node bin`.
 */
async function timed(args: string[]): Promise<Timed> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'cpu-s %U %S peak-rss-kb %M', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const [, user, system, kb] = /cpu-s (\S+) (\S+) peak-rss-kb (\d+)\s*$/.exec(output) ?? [];
  return {
    code,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: Number(user) + Number(system),
    peakRssMb: Math.round(Number(kb) / 1024),
    output,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A CSV of `lines` devices, one in 100 a problem the dry run must report. */
async function writeCsv(file: string, prefix: string, lines: number): Promise<void> {
  const out: string[] = ['ThingName'];
  for (let i = 0; i < lines; i++) {
    if (i % 100 === 99) out.push(i % 200 === 99 ? `${prefix}-${i - 60}` : `${prefix} ${i}`);
    else out.push(`${prefix}-${i}`);
  }
  await writeFile(file, `${out.join('\r\n')}\r\n`);
}

async function preflight(lines: number): Promise<Record<string, unknown>> {
  const file = join(work, `check-${lines}.csv`);
  await writeCsv(file, `pf${lines}`, lines);
  const runs: Timed[] = [];
  for (let i = 0; i < 3; i++) runs.push(await timed([PROVISION_BIN, 'check', file]));
  await rm(file);
  return {
    lines,
    runs: runs.length,
    'median s': round(median(runs.map((r) => r.seconds))),
    'median CPU s': round(median(runs.map((r) => r.cpuSeconds))),
    'median peak RSS MB': median(runs.map((r) => r.peakRssMb)),
  };
}

let stack: { bench: BenchStack; api: BenchProcess; worker: BenchProcess; url: string } | undefined;

async function startStack(): Promise<NonNullable<typeof stack>> {
  const bench = await startBenchStack();
  await putThingTemplate(bench);

  const api = startProcess('bench/api-process.ts', bench.env);
  const worker = startProcess('workers/container.ts', bench.env);
  return { bench, api, worker, url: await api.firstLine };
}

async function stopAll(): Promise<void> {
  if (stack !== undefined) {
    await stack.worker.stop();
    await stack.api.stop();
    await stack.bench.stop();
    stack = undefined;
  }
  await rm(work, { recursive: true, force: true });
}
// Ctrl-C or a kill: stop what was started, then go (the exit hooks are the last resort).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));

async function dryRun(lines: number, s: NonNullable<typeof stack>): Promise<Record<string, unknown>> {
  const file = join(work, `dry-${lines}.csv`);
  await writeCsv(file, `dry${lines}`, lines);
  const worker0 = procStats(s.worker.pid);
  const moto0 = procStats(s.bench.moto.pid);
  const run = await timed([
    PROVISION_BIN,
    'bulk',
    file,
    '--template',
    'bench-thing',
    '--dry-run',
    '--api',
    s.url,
  ]);
  const worker1 = procStats(s.worker.pid);
  const moto1 = procStats(s.bench.moto.pid);
  const taskId = /Dry run on the service: task (\S+)/.exec(run.output)?.[1];
  // One line in 100 is a problem, so the dry run ends CompletedWithFailures: exit 1.
  if (run.code !== 1 || taskId === undefined)
    throw new Error(`dry run of ${lines} lines exited ${run.code}: ${run.output.slice(-2000)}`);
  const failures = Number(/, (\d+) with problems/.exec(run.output)?.[1] ?? NaN);
  const status = await timed([PROVISION_BIN, 'status', taskId, '--failures', '--api', s.url]);
  const follow = await timed([
    PROVISION_BIN,
    'follow',
    taskId,
    '--out',
    join(work, `report-${lines}`),
    '--api',
    s.url,
  ]);
  await rm(file);
  return {
    lines,
    'dry run s': round(run.seconds, 1),
    'lines/s': Math.round(lines / run.seconds),
    'problems reported': failures,
    'CLI CPU s, peak RSS MB': `${round(run.cpuSeconds, 1)}, ${run.peakRssMb}`,
    'worker peak RSS MB (so far)': worker1.peakRssMb,
    'worker CPU ms/line': round((worker1.cpuMs - worker0.cpuMs) / lines, 2),
    'emulator CPU ms/line': round((moto1.cpuMs - moto0.cpuMs) / lines, 2),
    'emulator peak RSS MB (so far)': moto1.peakRssMb,
    'status --failures: s, peak RSS MB': `${round(status.seconds, 1)}, ${status.peakRssMb}`,
    'follow --out: s, peak RSS MB': `${round(follow.seconds, 1)}, ${follow.peakRssMb}`,
  };
}

try {
  await timed([PROVISION_BIN, '--version']); // builds the bundle if it is stale
  const preflights: Record<string, unknown>[] = [];
  for (const lines of preflightSizes) preflights.push(await preflight(lines));
  const dryRuns: Record<string, unknown>[] = [];
  if (dryRunSizes.length > 0) {
    stack = await startStack();
    for (const lines of dryRunSizes) {
      dryRuns.push(await dryRun(lines, stack));
      // Each size as it ends: a 100,000-line run on a loaded machine can outlast the session.
      console.table(dryRuns.slice(-1));
    }
  }
  console.log(
    `Dry-run benchmark, ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  if (preflights.length > 0) console.table(preflights);
  if (dryRuns.length > 0) console.table(dryRuns);
} finally {
  await stopAll();
}
