import type { TaskError } from '../tasks/model.js';
import type { ChunkTally } from './bulk-store.js';
import { readChunkLines } from './chunk-lines.js';
import { finishTaskIfDone, settleChunk } from './finish-task.js';
import type { InputLine } from './input-line.js';
import { checkLine, templateLineCheck, undeclaredProblem, type LineVerdict } from './line-check.js';
import type { BulkTask, Chunk, LineOutcome, LineStatus } from './model.js';
import { sendSuccessor } from './plan.js';
import type { ChunkDeps } from './chunk-deps.js';
import { existingThingOutcome, lookUpThing } from './thing-certificates.js';

/**
 * A dry run's chunk: every line checked as the real run would check it, nothing created. Per
 * line: readable; no template parameter missing; the template, expanded with the line's
 * parameters, gives AWS IoT only values it accepts (admission's device check, src/provisioning/device-check.ts);
 * no column the template does not declare; its thing name on no earlier line of the input; and
 * what AWS IoT has for its thing (one ListThingPrincipals call: absent, or its certificates).
 *
 * Lines with something to report become results (FAILED with the problem, SKIPPED, or SUCCEEDED
 * with a warning); lines without are only counted. The chunk's tally is written once, whole.
 *
 * Duplicates: a dry run's chunks run one after another (planned with one in flight), and within a
 * chunk the first line naming a thing claims it; so each name is claimed by its first line in the
 * input, and every later line naming it is reported THING_NAME_DUPLICATE. Because no other chunk
 * claims at the same time, a chunk claims its names in a few batched calls (claimNamesInTurn), not
 * one conditional write per line; what is left per line is its one ListThingPrincipals call.
 */
export async function checkChunk(
  task: BulkTask,
  chunk: Chunk,
  deps: ChunkDeps,
  options: { abandon?: TaskError } = {},
): Promise<void> {
  if (!(await deps.bulk.startChunk(task.taskId, chunk.index))) {
    const now = await deps.bulk.get(task.taskId);
    if (now !== undefined && now.status !== 'InProgress') return settleChunk(now, chunk.index, deps);
    await sendSuccessor(task, chunk, deps);
    await finishTaskIfDone(task, chunk.index, deps);
    return;
  }
  if (chunk.tallied !== true) {
    const lines = await readChunkLines(deps.objects, task, chunk);
    const { abandon } = options;
    // A chunk whose message died reports its lines unchecked, so the dry run still ends.
    const outcomes =
      abandon === undefined
        ? await checkLines(task, lines, deps)
        : lines.map((line) => failed(line.line, undefined, abandon));
    const expiresAt = Math.floor(Date.now() / 1000) + deps.ttlSeconds;
    const reported = outcomes.filter((o) => o.status !== 'SUCCEEDED' || o.warning !== undefined);
    await deps.bulk.putOutcomes(
      task.taskId,
      reported.map((o) => ({ ...o, expiresAt })),
    );
    await deps.bulk.tallyChunk(task.taskId, chunk.index, tallyOf(outcomes));
  }
  await sendSuccessor(task, chunk, deps);
  if ((await deps.bulk.finishChunk(task.taskId, chunk.index)) !== undefined) {
    await finishTaskIfDone(task, chunk.index, deps);
  } else {
    const now = await deps.bulk.get(task.taskId);
    if (now !== undefined && now.status !== 'InProgress') await settleChunk(now, chunk.index, deps);
  }
}

type Outcome = Omit<LineOutcome, 'expiresAt'>;

async function checkLines(task: BulkTask, lines: InputLine[], deps: ChunkDeps): Promise<Outcome[]> {
  const context = await templateLineCheck(task, deps);
  const verdicts = lines.map((line) => ({ line: line.line, verdict: checkLine(line, context) }));

  // Each name's first line in this chunk claims it; the claim answers the first line in the input.
  const firstHere = new Map<string, number>();
  for (const { line, verdict } of verdicts) {
    const name = thingOf(verdict);
    if (name !== undefined && !firstHere.has(name)) firstHere.set(name, line);
  }
  const expiresAt = Math.floor(Date.now() / 1000) + deps.ttlSeconds;
  const owners = await deps.bulk.claimNamesInTurn(task.taskId, firstHere, expiresAt);

  const choice = task.existingThings ?? 'refuse';
  const outcomes: Outcome[] = new Array<Outcome>(verdicts.length);
  await eachConcurrently(verdicts.entries(), deps.lineConcurrency, async ([i, { line, verdict }]) => {
    outcomes[i] = await outcomeOf(line, verdict, owners, choice, deps);
  });
  return outcomes;
}

async function outcomeOf(
  line: number,
  verdict: LineVerdict,
  owners: Map<string, number>,
  choice: NonNullable<BulkTask['existingThings']>,
  deps: ChunkDeps,
): Promise<Outcome> {
  if ('problem' in verdict) return failed(line, undefined, verdict.problem);
  const { thingName } = verdict;
  // What the real run would fail comes first; a column it would ignore after that.
  if (verdict.undeclared.length > 0) return failed(line, thingName, undeclaredProblem(verdict.undeclared));
  if (thingName === undefined) return { kind: 'lineOutcome', line, status: 'SUCCEEDED' };
  const owner = owners.get(thingName) ?? line;
  if (owner !== line)
    return failed(line, thingName, {
      code: 'THING_NAME_DUPLICATE',
      message: `Thing '${thingName}' is also on line ${owner}, which comes first: only that line would provision it`,
    });
  const existing = existingThingOutcome(thingName, await lookUpThing(deps.iot, thingName), choice);
  if (existing === undefined) return { kind: 'lineOutcome', line, status: 'SUCCEEDED', thingName };
  return existing.status === 'FAILED'
    ? failed(line, thingName, existing.problem)
    : { kind: 'lineOutcome', line, status: existing.status, thingName, warning: existing.problem };
}

function failed(
  line: number,
  thingName: string | undefined,
  problem: { code: string; message: string },
): Outcome {
  return {
    kind: 'lineOutcome',
    line,
    status: 'FAILED',
    ...(thingName !== undefined ? { thingName } : {}),
    error: { code: problem.code, message: problem.message },
  };
}

function thingOf(verdict: LineVerdict): string | undefined {
  return 'parameters' in verdict ? verdict.thingName : undefined;
}

function tallyOf(outcomes: Outcome[]): ChunkTally {
  const tally: ChunkTally = { succeeded: [], failed: [], skipped: [], problemCounts: {} };
  const sets: Record<LineStatus, number[]> = {
    SUCCEEDED: tally.succeeded,
    FAILED: tally.failed,
    SKIPPED: tally.skipped,
  };
  for (const outcome of outcomes) {
    sets[outcome.status].push(outcome.line);
    const code = outcome.error?.code;
    if (outcome.status === 'FAILED' && code !== undefined)
      tally.problemCounts[code] = (tally.problemCounts[code] ?? 0) + 1;
  }
  return tally;
}

/** Runs `work` on every item, at most `concurrency` at a time. */
async function eachConcurrently<T>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
