import { PutObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { PROVISION_BIN } from '../test/support/cli.js';
import { startBenchStack, startProcess } from './local-stack.js';

/**
 * The `provision` CLI on the local stack (API, worker and emulator each in their own process):
 *  1. start-up of the command: the esbuild bundle the bin runs, against tsx's loader;
 *  2. the local pre-flight (`provision check`) of a 10,000- and a 100,000-line CSV: time, peak RSS;
 *  3. a D-line CSV bulk task followed to its end and its results saved, once as a person with curl
 *     would (upload the file through the API's pre-signed URL, submit it, poll the task, then
 *     stream the NDJSON results into a file), once with `provision follow ID --out DIR` on the
 *     same kind of task (progress, then one folder per device): the CLI's overhead is the
 *     difference in end-to-end time; its peak RSS is measured by the OS;
 *  4. the service's dry run through the CLI (`provision bulk FILE --dry-run`: pre-flight, upload,
 *     the dry-run task followed to its end) for each size given: time, and the CLI's peak RSS.
 * The template makes a thing only, as in bench/bulk.ts, so the emulator is not the whole story.
 *
 *   npx tsx bench/cli.ts [devices=10000] [dry-run lines=10000,100000]
 */
const devices = Number(process.argv[2] ?? 10_000);
const dryRunSizes = (process.argv[3] ?? '10000,100000').split(',').map(Number);
const work = await mkdtemp(join(tmpdir(), 'bench-cli-'));

interface Timed {
  code: number | null;
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

/** A command under GNU time, so its peak RSS is the kernel's figure for that process. */
async function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<Timed> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const kb = Number(stderr.trim().split('\n').pop());
  return { code, seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(kb / 1024), stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// 1. Start-up.
const startup: Record<string, unknown>[] = [];
await timed(process.execPath, [PROVISION_BIN, '--version']); // builds the bundle if it is stale
for (const [how, args] of [
  ['bundle (the bin)', [PROVISION_BIN, '--version']],
  ['tsx loader', ['--import', 'tsx', 'cli/main.ts', '--version']],
] as const) {
  const runs: Timed[] = [];
  for (let i = 0; i < 5; i++) runs.push(await timed(process.execPath, [...args]));
  startup.push({
    how,
    'median s': round(median(runs.map((r) => r.seconds))),
    'median peak RSS MB': median(runs.map((r) => r.peakRssMb)),
  });
}

// 2. Pre-flight.
const preflight: Record<string, unknown>[] = [];
for (const lines of [10_000, 100_000]) {
  const file = join(work, `line-${lines}.csv`);
  const rows = Array.from(
    { length: lines },
    (_, i) => `pump-${lines}-${String(i).padStart(6, '0')};SN-${i};plant-7`,
  );
  await writeFile(file, `\ufeffThingName;SerialNumber;Site\r\n${rows.join('\r\n')}\r\n`);
  const runs: Timed[] = [];
  for (let i = 0; i < 3; i++) runs.push(await timed(process.execPath, [PROVISION_BIN, 'check', file]));
  preflight.push({
    lines,
    'median s': round(median(runs.map((r) => r.seconds))),
    'median peak RSS MB': median(runs.map((r) => r.peakRssMb)),
  });
}

// 3. Follow and save: curl's way against the CLI's.
const bench = await startBenchStack();
const template = {
  Parameters: { ThingName: { Type: 'String' }, Site: { Type: 'String', Default: 'plant-1' } },
  Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } } },
};
await bench.clients.s3.send(
  new PutObjectCommand({
    Bucket: bench.config.templates.bucket,
    Key: 'templates/bench-thing.json',
    Body: JSON.stringify(template),
  }),
);
const api = startProcess('bench/api-process.ts', bench.env);
const apiUrl = await api.firstLine;
const worker = startProcess('workers/container.ts', bench.env);
await new Promise((r) => setTimeout(r, 2000));

const csvOf = (prefix: string, lines: number) =>
  `ThingName\r\n${Array.from({ length: lines }, (_, i) => `${prefix}-${i}`).join('\r\n')}\r\n`;

/** curl's way in: a pre-signed upload URL from the API, the file PUT to it, then the task. */
async function submit(prefix: string): Promise<string> {
  const json = { 'content-type': 'application/json' };
  const ticket = (await (
    await fetch(`${apiUrl}/bulkthings/uploads`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ fileName: `${prefix}.csv` }),
    })
  ).json()) as { uploadUrl: string; headers: Record<string, string>; inputFile: unknown };
  const put = await fetch(ticket.uploadUrl, {
    method: 'PUT',
    headers: ticket.headers,
    body: csvOf(prefix, devices),
  });
  if (!put.ok) throw new Error(`upload refused: ${put.status} ${await put.text()}`);
  const res = await fetch(`${apiUrl}/bulkthings`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ provisioningTemplateId: 'bench-thing', inputFile: ticket.inputFile }),
  });
  if (res.status !== 202) throw new Error(`submit refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { taskId: string }).taskId;
}

const FINISHED = ['Completed', 'CompletedWithFailures', 'Failed', 'Cancelled'];
/** A task whose counts have not moved for this long is stuck: the run stops and says where. */
const STALL_MS = 300_000;

/** Polls a task to its end (as curl in a loop would); throws if it stops moving. */
async function untilFinished(taskId: string, stop?: AbortSignal): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const view = (await (await fetch(`${apiUrl}/bulkthings/${taskId}`)).json()) as {
      status: string;
      successCount: number;
      failureCount: number;
      totalCount: number | null;
    };
    if (FINISHED.includes(view.status) || stop?.aborted === true) return;
    const done = view.successCount + view.failureCount;
    if (done !== last) [last, movedAt] = [done, Date.now()];
    if (Date.now() - movedAt > STALL_MS)
      throw new Error(
        `task ${taskId} stalled: ${view.status} ${done}/${view.totalCount ?? '?'} for ${STALL_MS / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function withCurl(): Promise<number> {
  const started = performance.now();
  const taskId = await submit('curl');
  await untilFinished(taskId);
  const res = await fetch(`${apiUrl}/bulkthings/${taskId}/results`, {
    headers: { accept: 'application/x-ndjson' },
  });
  const out = createWriteStream(join(work, 'curl-results.ndjson'));
  for await (const chunk of res.body as AsyncIterable<Uint8Array>)
    if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  return (performance.now() - started) / 1000;
}

async function withCli(): Promise<{
  seconds: number;
  peakRssMb: number;
  folders: number;
  code: number | null;
}> {
  const started = performance.now();
  const taskId = await submit('cli');
  const out = join(work, 'cli-out');
  // The CLI follows for as long as it takes; the watchdog ends the run if the task is stuck.
  const stop = new AbortController();
  const running = timed(process.execPath, [PROVISION_BIN, 'follow', taskId, '--out', out, '--api', apiUrl]);
  const run = await Promise.race([running, untilFinished(taskId, stop.signal).then(() => running)]);
  stop.abort();
  const folders = (await readdir(out)).filter((f) => f.startsWith('cli-')).length;
  return { seconds: (performance.now() - started) / 1000, peakRssMb: run.peakRssMb, folders, code: run.code };
}

/** The service's dry run of `lines` lines, through the CLI as a person runs it. */
async function dryRun(lines: number): Promise<Record<string, unknown>> {
  const file = join(work, `dry-${lines}.csv`);
  await writeFile(file, csvOf(`dry-${lines}`, lines));
  const run = await timed(process.execPath, [
    PROVISION_BIN,
    'bulk',
    file,
    '--template',
    'bench-thing',
    '--dry-run',
    '--api',
    apiUrl,
  ]);
  if (run.code !== 0) throw new Error(`dry run of ${lines} lines exited ${run.code}: ${run.stdout}`);
  return {
    lines,
    'provision bulk --dry-run, s': round(run.seconds, 1),
    'lines/s': Math.round(lines / run.seconds),
    'CLI peak RSS MB': run.peakRssMb,
  };
}

try {
  const curlSeconds = await withCurl();
  const cli = await withCli();
  const dryRuns: Record<string, unknown>[] = [];
  for (const lines of dryRunSizes) dryRuns.push(await dryRun(lines));

  console.log(
    `CLI benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  );
  console.table(startup);
  console.table(preflight);
  console.table([
    {
      devices,
      'curl: upload → results saved, s': round(curlSeconds, 1),
      'provision follow --out: upload → folders written, s': round(cli.seconds, 1),
      'CLI overhead': `${round(((cli.seconds - curlSeconds) / curlSeconds) * 100, 1)}%`,
      'CLI peak RSS MB': cli.peakRssMb,
      'device folders': cli.folders,
      'CLI exit': cli.code,
    },
  ]);
  console.table(dryRuns);
} finally {
  // A stalled task ends the run here too; a CLI still following it gives up once the API is gone.
  await worker.stop();
  await api.stop();
  await bench.stop();
  await rm(work, { recursive: true, force: true });
}
