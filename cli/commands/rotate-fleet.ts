import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { uploadFile } from '../api/upload.js';
import { parseCdf } from '../args/parse-params.js';
import { UsageError } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { idempotencyKey } from '../idempotency-key.js';
import { exitCodeOfBulk, followToEnd, summaryLine, writeOutFolder } from './bulk-outcome.js';
import type { CommandContext } from './context.js';
import { parseRetire, type RotateOptions } from './rotate.js';

/** Which things a fleet rotation rotates: exactly one of these. */
export type FleetChoice =
  { group: string; recursive: boolean } | { thingsFile: string } | { expiringWithinDays: number };

/** What `provision rotate` was asked: one thing, or one way of choosing a fleet. */
export function rotationChoice(
  thingName: string | undefined,
  options: { group?: string; recursive?: boolean; things?: string; expiringWithin?: string },
): { thingName: string } | FleetChoice {
  const chosen = [
    thingName !== undefined ? 'a thing name' : undefined,
    options.group !== undefined ? '--group' : undefined,
    options.things !== undefined ? '--things' : undefined,
    options.expiringWithin !== undefined ? '--expiring-within' : undefined,
  ].filter((c) => c !== undefined);
  if (chosen.length !== 1)
    throw new UsageError(
      chosen.length === 0
        ? 'Say what to rotate: a thing name, or a fleet with --group, --things or --expiring-within'
        : `Rotate one thing or one fleet, not ${chosen.join(' and ')}`,
    );
  if (options.recursive === true && options.group === undefined)
    throw new UsageError('--recursive goes with --group');
  if (thingName !== undefined) return { thingName };
  if (options.group !== undefined) return { group: options.group, recursive: options.recursive === true };
  if (options.things !== undefined) return { thingsFile: options.things };
  const days = Number(options.expiringWithin);
  if (!/^\d{1,5}$/.test(options.expiringWithin ?? '') || days > 36_500)
    throw new UsageError(
      `--expiring-within ${options.expiringWithin ?? ''}: write a number of days (0-36500)`,
    );
  return { expiringWithinDays: days };
}

/**
 * `provision rotate --group G | --things FILE | --expiring-within N`: a fleet rotation through
 * `POST /certificates/rotations` (a bulk task), followed with the same progress as `provision
 * bulk`, its new credentials written to the same per-device folders. A things file (CSV with a
 * ThingName column, optionally CertificateId; or NDJSON of such objects) is uploaded as bulk
 * input is. Like a single rotation, each run rotates anew (its key is made once per run, so only
 * the client's own retries of the request are one task); Ctrl-C stops following, not the task.
 */
export async function rotateFleetCommand(
  ctx: CommandContext,
  choice: FleetChoice,
  options: RotateOptions,
): Promise<ExitCode> {
  const cdf = parseCdf(options.cdf);
  const api = await ctx.api();
  const { console } = ctx;
  let selection: Record<string, unknown>;
  if ('group' in choice) {
    selection = { thingGroupName: choice.group, ...(choice.recursive ? { recursive: true } : {}) };
  } else if ('expiringWithinDays' in choice) {
    selection = { expiringWithinDays: choice.expiringWithinDays };
  } else {
    const ticket = await api.createUpload(basename(choice.thingsFile));
    await uploadFile(ticket, choice.thingsFile);
    selection = { inputFile: ticket.inputFile };
  }
  const body = {
    ...selection,
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
    ...(cdf !== undefined ? { cdfProvisioningParameters: cdf } : {}),
    ...(options.retire !== undefined ? { retireOldCertificate: parseRetire(options.retire) } : {}),
  };
  const { task } = await api.rotateFleet(body, idempotencyKey({ purpose: 'rotate', run: randomUUID() }));
  console.say(`Fleet rotation: task ${task.taskId}`);
  const final = await followToEnd(ctx, api, task.taskId, 'rotating', options.out);
  console.say(summaryLine(final));
  const file = 'thingsFile' in choice ? choice.thingsFile : undefined;
  if (options.out !== undefined) await writeOutFolder(ctx, api, final, options.out, file);
  else if (final.successCount > 0)
    console.say(
      `The new private keys were not saved: run provision follow ${final.taskId} --out <folder> before they expire.`,
    );
  if (console.json) console.result(final);
  return exitCodeOfBulk(final);
}
