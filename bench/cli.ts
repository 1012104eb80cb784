import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { PROVISION_BIN } from '../test/support/cli.js';
import { putThingTemplate, startBenchStack, startProcess } from './local-stack.js';

/**
 * The `provision` CLI on the local stack (API, worker and emulator each in their own process):
 *  1. start-up of the command: the esbuild bundle the bin runs, against tsx's loader;
 *  2. the local pre-flight (`provision check`) of a 10,000- and a 100,000-line CSV: time, peak RSS;
 *  3. two D-line CSV bulk tasks started at the same moment and followed to their end side by side,
 *     so the worker serves them in turns under the same load: one as a person with curl would
 *     (upload through the API's pre-signed URL, submit, poll the task, then stream the NDJSON
 *     results into a file; done here with fetch() from this process), one uploaded and submitted
 *     the same way and then followed by `provision follow ID --out DIR` (progress, then one folder
 *     per device). The CLI's overhead is the difference in end-to-end time; each side's tail
 *     after the service finished its task is the part that no scheduling can blur. The CLI's peak
 *     RSS and CPU time (user + sys) are measured by the OS;
 *  4. the service's dry run through the CLI (`provision bulk FILE --dry-run`: pre-flight, upload,
 *     the dry-run task followed to its end) for each size given: time, and the CLI's peak RSS.
 * The template makes a thing only, as in bench/bulk.ts, so the emulator is not the whole story.
 *
 *   npx tsx bench/cli.ts [devices=10000] [dry-run lines=10000,100000] [--parts 1,2,3,4]
 */
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { parts: { type: 'string', default: '1,2,3,4' } },
});
const devices = Number(positionals[0] ?? 10_000);
const dryRunSizes = (positionals[1] ?? '10000,100000').split(',').map(Number);
const parts = new Set(flags.parts.split(',').map(Number));
if (!Number.isInteger(devices) || devices < 1) throw new Error(`devices must be a whole number ≥ 1`);
if (dryRunSizes.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error('dry-run lines must be whole numbers ≥ 1, comma-separated');
if (parts.size === 0 || [...parts].some((p) => ![1, 2, 3, 4].includes(p)))
  throw new Error(`--parts takes some of 1,2,3,4 (got ${flags.parts})`);

const work = await mkdtemp(join(tmpdir(), 'bench-cli-'));

/** What the run has started, stopped in reverse order on every path (the end, an error, Ctrl-C). */
const stoppers: (() => Promise<void>)[] = [() => rm(work, { recursive: true, force: true })];
let stopping: Promise<void> | undefined;
/** One stop however many paths ask for it: each waits for the same one to finish. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  })();
  return stopping;
}
const interruption = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    interruption.abort();
    void stopAll().finally(() => process.exit(130));
  });

/**
 * Commands under GNU time run in their own process group (time does not pass a signal on to its
 * command), so ending the group ends both; the exit hook is the last resort, as in local-stack.
 */
const timedGroups = new Set<number>();
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
const killTimed = () => {
  timedGroups.forEach(killGroup);
};
process.once('exit', killTimed);
stoppers.push(() => {
  killTimed();
  return Promise.resolve();
});

interface Timed {
  code: number | null;
  seconds: number;
  peakRssMb: number;
  /** User + system CPU time of the command. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

/** A command under GNU time, so its peak RSS and CPU time are the kernel's figures for that process. */
async function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<Timed> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const group = child.pid ?? -1;
  timedGroups.add(group);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  timedGroups.delete(group);
  const lines = stderr.trimEnd().split('\n');
  const [kb, user, sys] = (lines.pop() ?? '').split(' ').map(Number);
  return {
    code,
    seconds: (performance.now() - started) / 1000,
    peakRssMb: Math.round((kb ?? NaN) / 1024),
    cpuSeconds: (user ?? NaN) + (sys ?? NaN),
    stdout,
    stderr: lines.join('\n'),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// 1. Start-up.
const startup: Record<string, unknown>[] = [];
if (parts.has(1)) {
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
}

// 2. Pre-flight.
const preflight: Record<string, unknown>[] = [];
if (parts.has(2)) {
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
}

// 3 and 4 need the local stack.
let apiUrl = '';
if (parts.has(3) || parts.has(4)) {
  const bench = await startBenchStack();
  stoppers.push(() => bench.stop());
  await putThingTemplate(bench, { Site: { Type: 'String', Default: 'plant-1' } });

  const api = startProcess('bench/api-process.ts', bench.env);
  stoppers.push(() => api.stop());
  apiUrl = await api.firstLine;
  const worker = startProcess('workers/container.ts', bench.env);
  stoppers.push(() => worker.stop());
  await new Promise((r) => setTimeout(r, 2000));
}

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

interface BulkView {
  status: string;
  successCount: number;
  failureCount: number;
  totalCount: number | null;
  lastModifiedDate: string;
}

/** Statuses `curl --retry` asks again on: the API, or the emulator behind it, busy for a moment. */
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);
const RETRIES = 30;

/**
 * A GET as `curl --retry 30 --retry-delay 1` makes it: a transient answer or a refused connection
 * is asked again a second later (on a loaded machine the emulator does say 503 now and then);
 * anything else, or 30 transient answers in a row, ends the run.
 */
async function getRetrying(url: string, headers: Record<string, string> = {}): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await fetch(url, { headers });
    } catch (e: unknown) {
      if (!(e instanceof TypeError) || attempt >= RETRIES) throw e; // fetch's network errors
    }
    if (res?.ok === true) return res;
    if (res !== undefined && (!TRANSIENT.has(res.status) || attempt >= RETRIES))
      throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
    await res?.body?.cancel();
    await pause(1000);
  }
}

async function bulkView(taskId: string): Promise<BulkView> {
  return (await (await getRetrying(`${apiUrl}/bulkthings/${taskId}`)).json()) as BulkView;
}

/** Waits `ms`, or less if `stop` is aborted meanwhile. */
function pause(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    // One listener at a time: a long run must not pile them up on the signal.
    const early = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      stop?.removeEventListener('abort', early);
      resolve();
    }, ms);
    stop?.addEventListener('abort', early, { once: true });
  });
}

const FINISHED = ['Completed', 'CompletedWithFailures', 'Failed', 'Cancelled'];
/** A task whose counts have not moved for this long is stuck: the run stops and says where. */
const STALL_MS = 300_000;

/**
 * Polls a task every `everyMs` to its end (as curl in a loop would) and returns its final view;
 * throws if it stops moving; returns nothing once `stop` is aborted.
 */
async function untilFinished(
  taskId: string,
  everyMs: number,
  stop?: AbortSignal,
): Promise<BulkView | undefined> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    if (stop?.aborted === true) return undefined;
    const view = await bulkView(taskId);
    if (FINISHED.includes(view.status)) return view;
    const done = view.successCount + view.failureCount;
    if (done !== last) [last, movedAt] = [done, Date.now()];
    if (Date.now() - movedAt > STALL_MS)
      throw new Error(
        `task ${taskId} stalled: ${view.status} ${done}/${view.totalCount ?? '?'} for ${STALL_MS / 1000} s`,
      );
    await pause(everyMs, stop);
  }
}

/** One side of part 3, in wall-clock milliseconds (the service's timestamps are wall-clock too). */
interface Side {
  view: BulkView;
  /** When the service recorded the task's end. */
  serviceEndAt: number;
  /** When the client had everything saved. */
  doneAt: number;
  /** Result lines the client saved (curl: NDJSON lines; the CLI: its results.ndjson). */
  saved: number;
  /** Device folders written (the CLI only). */
  folders?: number;
  /** Failed lines by error code, from the saved results. */
  failures: Record<string, number>;
}

/**
 * Result lines in an NDJSON results file, and its failed lines by error code; the first message of
 * each code is printed, so a failure can be told from the emulator's or the service's fault.
 */
async function savedResults(file: string): Promise<{ saved: number; failures: Record<string, number> }> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
  const failures: Record<string, number> = {};
  for (const line of lines) {
    const result = JSON.parse(line) as { status: string; error?: { code: string; message?: string } };
    if (result.status !== 'FAILED') continue;
    const code = result.error?.code ?? 'FAILED';
    if (failures[code] === undefined) console.log(`${file}: first ${code}: ${result.error?.message ?? ''}`);
    failures[code] = (failures[code] ?? 0) + 1;
  }
  return { saved: lines.length, failures };
}

/** Polls once a second, as the CLI does, then streams the NDJSON results into a file. */
async function followWithCurl(taskId: string): Promise<Side> {
  const view = await untilFinished(taskId, 1000);
  if (view === undefined) throw new Error(`task ${taskId}: following stopped`);
  const res = await getRetrying(`${apiUrl}/bulkthings/${taskId}/results`, {
    accept: 'application/x-ndjson',
  });
  if (res.body === null) throw new Error(`results of ${taskId}: no body`);
  const file = join(work, 'curl-results.ndjson');
  const out = createWriteStream(file);
  for await (const chunk of res.body as AsyncIterable<Uint8Array>)
    if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  const doneAt = Date.now();
  return { view, serviceEndAt: Date.parse(view.lastModifiedDate), doneAt, ...(await savedResults(file)) };
}

/** `provision follow ID --out DIR` under GNU time; a watchdog ends the run if the task is stuck. */
async function followWithCli(taskId: string): Promise<Side & { run: Timed }> {
  const out = join(work, 'cli-out');
  const running = timed(process.execPath, [PROVISION_BIN, 'follow', taskId, '--out', out, '--api', apiUrl]);
  // The watchdog polls ten times less often than the CLI, to add little to the CLI's side.
  const stop = new AbortController();
  let run: Timed;
  try {
    run = await Promise.race([running, untilFinished(taskId, 10_000, stop.signal).then(() => running)]);
  } finally {
    stop.abort();
  }
  const doneAt = Date.now();
  // 1 is "some devices failed": the task and the folder are complete, the table shows the failures.
  if (run.code !== 0 && run.code !== 1)
    throw new Error(`provision follow exited ${run.code}:\n${run.stdout}\n${run.stderr.slice(-2000)}`);
  const view = await bulkView(taskId);
  const folders = (await readdir(out)).filter((f) => f.startsWith('cli-')).length;
  const { saved, failures } = await savedResults(join(out, 'results.ndjson'));
  return { view, serviceEndAt: Date.parse(view.lastModifiedDate), doneAt, saved, folders, failures, run };
}

/**
 * Both tasks uploaded, submitted and followed from the same moment: the worker serves their
 * chunks in turns, so both run under the same load and the difference is what each client adds.
 */
async function sideBySide(): Promise<Record<string, unknown>[]> {
  const load = [loadavg()[0] ?? NaN];
  const sampler = setInterval(() => load.push(loadavg()[0] ?? NaN), 15_000);
  let progress: NodeJS.Timeout | undefined;
  try {
    const startedAt = Date.now();
    const [curlTask, cliTask] = await Promise.all([submit('curl'), submit('cli')]);
    const submittedS = (Date.now() - startedAt) / 1000;
    // A run of this size takes the better part of an hour here: say how far it is once a minute.
    progress = setInterval(() => {
      void Promise.all([bulkView(curlTask), bulkView(cliTask)])
        .then(([a, b]) => {
          const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
          const done = (v: BulkView) => `${v.successCount + v.failureCount}/${v.totalCount ?? '?'}`;
          console.error(
            `${minutes} min: curl's task ${done(a)}, the CLI's ${done(b)}; load ${loadavg()[0]?.toFixed(1) ?? '?'}`,
          );
        })
        .catch(() => undefined);
    }, 60_000);
    const [curl, cli] = await Promise.all([followWithCurl(curlTask), followWithCli(cliTask)]);
    for (const [side, s] of [
      ['curl', curl],
      ['CLI', cli],
    ] as const)
      // Devices the emulator failed under load still count: their results are saved all the same.
      if (!s.view.status.startsWith('Completed') || s.saved !== devices)
        throw new Error(`${side}: task ${s.view.status}, ${s.saved}/${devices} results saved`);
    if (cli.folders !== cli.view.successCount)
      throw new Error(`CLI: ${cli.folders} device folders for ${cli.view.successCount} devices provisioned`);
    const failed = (f: Record<string, number>) =>
      Object.entries(f)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ') || 'none';
    const seconds = (at: number) => (at - startedAt) / 1000;
    const [curlS, cliS] = [seconds(curl.doneAt), seconds(cli.doneAt)];
    return [
      {
        devices,
        'both submitted, s': round(submittedS, 1),
        'curl: service done, s': round(seconds(curl.serviceEndAt), 1),
        'curl: upload → results saved, s': round(curlS, 1),
        'CLI: service done, s': round(seconds(cli.serviceEndAt), 1),
        'CLI: upload → folders written, s': round(cliS, 1),
        'CLI overhead': `${round(((cliS - curlS) / curlS) * 100, 1)}%`,
      },
      {
        'curl tail after service done, s': round((curl.doneAt - curl.serviceEndAt) / 1000, 1),
        'CLI tail after service done, s': round((cli.doneAt - cli.serviceEndAt) / 1000, 1),
        'failed devices, curl / CLI': `${failed(curl.failures)} / ${failed(cli.failures)}`,
        'CLI peak RSS MB': cli.run.peakRssMb,
        'CLI CPU s (user+sys)': round(cli.run.cpuSeconds, 1),
        '1-min load min/median/max': [Math.min(...load), median(load), Math.max(...load)]
          .map((x) => x.toFixed(1))
          .join(' / '),
      },
    ];
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
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
  const followed = parts.has(3) ? await sideBySide() : [];
  const dryRuns: Record<string, unknown>[] = [];
  if (parts.has(4)) for (const lines of dryRunSizes) dryRuns.push(await dryRun(lines));

  console.log(
    `CLI benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  );
  for (const table of [startup, preflight, ...followed.map((row) => [row]), dryRuns])
    if (table.length > 0) console.table(table);
} catch (e: unknown) {
  // Interrupted, the requests in flight fail as the API stops: that is not the run's error.
  if (!interruption.signal.aborted) throw e;
} finally {
  await stopAll();
}
