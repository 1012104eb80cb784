import { runTask } from '../provisioning/run-task.js';
import { silentEvents } from '../tasks/completion-events.js';
import { InternalError, TransientError } from '../errors.js';
import { TaskBusyError } from '../tasks/errors.js';
import type { Task, TaskError } from '../tasks/model.js';
import { newTask } from '../tasks/new-task.js';
import { lineTaskId } from '../tasks/task-key.js';
import { checkChunk } from './check-chunk.js';
import type { ChunkDeps } from './chunk-deps.js';
import { readChunkLines } from './chunk-lines.js';
import { finishTaskIfDone, settleChunk } from './finish-task.js';
import type { InputLine } from './input-line.js';
import type { LineItem } from './bulk-store.js';
import { checkLine, templateLineCheck, type LineProblem, type LineVerdict } from './line-check.js';
import { isLineOutcome, type BulkTask, type LineOutcome, type LineStatus } from './model.js';
import { sendSuccessor } from './plan.js';
import { ROTATION_COLUMNS, rotationLineVerdict } from './rotation-line.js';
import { existingThingVerdict } from './thing-certificates.js';

export type { ChunkDeps } from './chunk-deps.js';

type LineDeps = ChunkDeps & { verdictOf: (item: InputLine) => LineVerdict };

/**
 * Provisions the devices of one chunk, a few at a time, each as an ordinary provisioning task
 * (same engine, claim and compensation as POST /things), and counts each finished line
 * exactly once in the chunk's tally; then it sends the chunk's successor and, when every line is
 * counted, adds the chunk's tally to the task. With `abandon` (the chunk's message died),
 * devices are not provisioned: what they made is removed and they are counted as failures.
 * A dry run's chunk is checked instead (check-chunk.ts).
 *
 * Before a line becomes a device it must be one AWS IoT would accept, its thing name must be its
 * own within the input (the first line to claim a name holds it: two lines can never give one
 * thing two certificates), and, unless the task says `existingThings: provision`, its thing must
 * not already have a certificate. The task's status is read before every device starts, so after
 * a cancel no device starts whose check came later: at most the devices already past their check,
 * one per line slot of each chunk in flight (BULK_CHUNKS_IN_FLIGHT × BULK_LINE_CONCURRENCY).
 */
export async function runChunk(
  bulkTaskId: string,
  index: number,
  deps: ChunkDeps,
  options: { abandon?: TaskError } = {},
): Promise<void> {
  const task = await deps.bulk.get(bulkTaskId);
  const chunk = await deps.bulk.getChunk(bulkTaskId, index);
  if (task === undefined || chunk === undefined) return;
  if (task.status !== 'InProgress') {
    await settleChunk(task, index, deps);
    return;
  }
  if (task.dryRun === true) {
    await checkChunk(task, chunk, deps, options);
    return;
  }
  if (!(await deps.bulk.startChunk(bulkTaskId, index))) {
    const now = await deps.bulk.get(bulkTaskId);
    if (now !== undefined && now.status !== 'InProgress') {
      await settleChunk(now, index, deps);
      return;
    }
    // Already added up by an earlier delivery, which may have died before sending the successor
    // or ending the task.
    await sendSuccessor(task, chunk, deps);
    await finishTaskIfDone(task, index, deps);
    return;
  }

  const isRunning = async () => (await deps.bulk.status(bulkTaskId)) === 'InProgress';
  const lines = await readChunkLines(deps.objects, task, chunk);
  const verdictOf = await lineVerdicts(task, deps);
  const runner = { ...deps, events: silentEvents, logger: deps.logger.child({ bulkTaskId }), verdictOf };

  let next = 0;
  let retryAfterSeconds = 0;
  const worker = async () => {
    while (next < lines.length) {
      const item = lines[next++];
      if (item === undefined || !(await isRunning())) return;
      const waiting = await provisionLine(task, index, item, runner, options.abandon);
      if (waiting !== undefined) retryAfterSeconds = Math.max(retryAfterSeconds, waiting);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.lineConcurrency, lines.length) }, worker));
  await sendSuccessor(task, chunk, deps);

  const tally = await deps.bulk.finishChunk(bulkTaskId, index);
  if (tally !== undefined) {
    await finishTaskIfDone(task, index, deps, tally);
  } else if (await isRunning()) {
    // A device was busy under another delivery of this chunk, or must wait: come back for it.
    throw new TransientError(
      'BULK_CHUNK_INCOMPLETE',
      `Chunk ${index} of bulk task ${bulkTaskId} is not complete yet`,
      { retryAfterSeconds },
    );
  } else {
    const stopped = await deps.bulk.get(bulkTaskId);
    if (stopped !== undefined) await settleChunk(stopped, index, deps);
  }
}

/** How the task's lines are checked: against its template, or as a fleet rotation's things. */
async function lineVerdicts(task: BulkTask, deps: ChunkDeps): Promise<(item: InputLine) => LineVerdict> {
  if (task.rotation !== undefined) return rotationLineVerdict;
  const lineCheck = await templateLineCheck(task, deps);
  return (item) => checkLine(item, lineCheck);
}

/**
 * One line. Most lines are new: the device's task is recorded already claimed by its first write
 * (runTask's `create`), and is only read when it exists already. A device that cannot finish now
 * (another delivery of this chunk is on it, or it waits for AWS) is left uncounted, and the
 * seconds it asks to wait are returned; the other lines go on.
 */
async function provisionLine(
  bulk: BulkTask,
  chunkIndex: number,
  item: InputLine,
  deps: LineDeps,
  abandon: TaskError | undefined,
): Promise<number | undefined> {
  const taskId = lineTaskId(bulk.taskId, item.line);
  let status: LineStatus;
  try {
    const recorded = await recordLine(bulk, item, deps, abandon);
    if (isLineOutcome(recorded)) {
      status = recorded.status;
    } else {
      // A new line's task is created by the run; one recorded before is read by it.
      const device = await runTask(taskId, deps, {
        abandon,
        ...(recorded.fresh ? { create: recorded.task } : {}),
      });
      status = device.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
    }
  } catch (e: unknown) {
    if (!(e instanceof TransientError)) throw e;
    if (!(e instanceof TaskBusyError)) deps.logger.warn('device will be retried', { taskId, code: e.code });
    return e.retryAfterSeconds ?? 0;
  }
  await deps.bulk.countLine(bulk.taskId, chunkIndex, item.line, status);
  return undefined;
}

/**
 * What a line is: the device task to run (runTask records it, or finds what an earlier delivery
 * recorded), FAILED at once when the line cannot work, or the outcome of a line skipped because
 * its thing already has a certificate (recorded here, or by an earlier delivery).
 *
 * The existingThings hook: after the line's thing name is claimed within the input, and only for
 * a line not seen before, one ListThingPrincipals call (none with `existingThings: provision`)
 * decides whether the thing already has a certificate: `skip` records a SKIPPED outcome and makes
 * no device, `refuse` fails the line with THING_HAS_CERTIFICATE before anything is made.
 */
async function recordLine(
  bulk: BulkTask,
  item: InputLine,
  deps: LineDeps,
  abandon: TaskError | undefined,
): Promise<LineOutcome | { task: Task; fresh: boolean }> {
  const expiresAt = Math.floor(Date.now() / 1000) + deps.ttlSeconds;
  const verdict = deps.verdictOf(item);
  let problem: LineProblem | undefined = 'problem' in verdict ? verdict.problem : undefined;
  const thingName = 'parameters' in verdict ? verdict.thingName : undefined;
  if (problem === undefined && thingName !== undefined && abandon === undefined) {
    const claim = await deps.bulk.claimName(bulk.taskId, thingName, item.line, expiresAt);
    if (claim.owner !== 'this') {
      problem = {
        code: 'THING_NAME_DUPLICATE',
        message: `Thing '${thingName}' is also on line ${claim.owner} of the input, which provisions it`,
      };
    } else {
      // Claimed before: an earlier delivery may have recorded the line already.
      const earlier = claim.before ? await deps.bulk.lineItem(bulk.taskId, item.line) : undefined;
      if (earlier !== undefined) return held(earlier);
      if (bulk.rotation !== undefined) {
        const certificateId = 'parameters' in verdict ? verdict.parameters[ROTATION_COLUMNS.certificate] : '';
        const resolved = await deps.rotationLines.resolve(bulk.rotation, {
          thingName,
          ...(certificateId ? { certificateId } : {}),
        });
        if (!('problem' in resolved)) {
          const task = newTask(lineTaskId(bulk.taskId, item.line), resolved.request, {
            source: 'queue',
            ttlSeconds: deps.ttlSeconds,
          });
          return { task: { ...task, rotation: resolved.rotation }, fresh: true };
        }
        problem = resolved.problem;
      } else {
        const existing = await existingThingVerdict(deps.iot, thingName, bulk.existingThings ?? 'refuse');
        if (existing?.status === 'SKIPPED') {
          return held(
            await deps.bulk.recordOutcome(bulk.taskId, {
              kind: 'lineOutcome',
              line: item.line,
              status: 'SKIPPED',
              thingName,
              warning: existing.problem,
              expiresAt,
            }),
          );
        }
        problem = existing?.problem;
      }
    }
  }
  if (bulk.rotation !== undefined) {
    // No rotation to run: the line's outcome says why (a rotation task needs what resolve makes).
    const error = problem ?? abandon;
    if (error === undefined)
      throw new InternalError('ROTATION_LINE_UNRESOLVED', `Line ${item.line} has no thing`);
    return held(
      await deps.bulk.recordOutcome(bulk.taskId, {
        kind: 'lineOutcome',
        line: item.line,
        status: 'FAILED',
        ...(thingName !== undefined ? { thingName } : {}),
        error: { code: error.code, message: `Line ${item.line}: ${error.message}` },
        expiresAt,
      }),
    );
  }
  const request = {
    provisioningTemplateId: bulk.provisioningTemplateId,
    parameters: 'parameters' in item ? item.parameters : {},
    ...(bulk.cdfProvisioningParameters ? { cdfProvisioningParameters: bulk.cdfProvisioningParameters } : {}),
  };
  const task = newTask(lineTaskId(bulk.taskId, item.line), request, {
    source: 'queue',
    ttlSeconds: deps.ttlSeconds,
    templateVersion: bulk.templateVersion,
    error: problem && { ...problem, message: `Line ${item.line}: ${problem.message}`, kind: 'invalid' },
  });
  return { task, fresh: true };
}

/** A line recorded before: its outcome, or the device task to run on. */
const held = (item: LineItem): LineOutcome | { task: Task; fresh: boolean } =>
  isLineOutcome(item) ? item : { task: item, fresh: false };
