import { randomUUID } from 'node:crypto';
import { parseCdf } from '../args/parse-params.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { idempotencyKey } from '../idempotency-key.js';
import type { CommandContext } from './context.js';
import { endedTask, withoutKey } from './single-outcome.js';
import { writeSingleTask } from './write-single.js';

const WAIT_SECONDS = 25;

export interface RotateOptions {
  mode?: string;
  cdf?: string;
  certificate?: string;
  retire?: string;
  out?: string;
}

/**
 * `provision rotate THING …`: one certificate rotation through `POST /things/{thing}/certificates/
 * rotations`, waited for as `provision device` waits, its credentials written to the same
 * per-device folder (which then holds the new certificate, and the new key when the service made
 * one). Each run is one rotation: its Idempotency-Key is made once per run, so the client's own
 * retries of the request never rotate twice, but running the command again rotates again.
 */
export async function rotateCommand(
  ctx: CommandContext,
  thingName: string,
  options: RotateOptions,
): Promise<ExitCode> {
  const cdf = parseCdf(options.cdf);
  const body = {
    ...(options.certificate !== undefined ? { certificateId: options.certificate } : {}),
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
    ...(cdf !== undefined ? { cdfProvisioningParameters: cdf } : {}),
    ...(options.retire !== undefined ? { retireOldCertificate: parseRetire(options.retire) } : {}),
  };
  const api = await ctx.api();
  const key = idempotencyKey({ purpose: 'rotate', thingName, run: randomUUID() });
  const answer = await api.rotate(thingName, body, key, WAIT_SECONDS);
  ctx.console.say(`Task ${answer.taskId}`);
  const view = await endedTask(api, answer.taskId);
  const { console } = ctx;
  if (console.json) console.result(withoutKey(view));
  if (view.status === 'FAILED') {
    console.say(
      `Failed: ${view.error?.code ?? ''}: ${view.error?.message ?? ''} (the old certificate is unchanged)`,
    );
    return ExitCode.devicesFailed;
  }
  const retirement = view.rotation?.retirement;
  console.say(
    `Rotated ${thingName}: certificate ${view.resourceArns?.certificate ?? '?'} replaces ` +
      `${view.rotation?.replacedCertificateId ?? '?'}, which is ${describeRetirement(retirement)}`,
  );
  if (options.out !== undefined) await writeSingleTask(ctx, view, options.out, thingName);
  else if (view.privateKey !== undefined)
    console.say(
      `The private key was not saved: run provision status ${view.taskId} --out <folder> before it expires.`,
    );
  return ExitCode.ok;
}

/** `--retire now|never|<N>d|<N>s` as the API's retireOldCertificate. */
export function parseRetire(
  text: string,
): 'now' | 'never' | { afterDays: number } | { afterSeconds: number } {
  if (text === 'now' || text === 'never') return text;
  const match = /^(\d{1,9})([ds])$/.exec(text);
  if (match?.[1] === undefined) {
    throw new UsageError(
      `--retire ${text}: write now, never, or a grace period such as 7d (days) or 90s (seconds)`,
    );
  }
  const n = Number(match[1]);
  return match[2] === 'd' ? { afterDays: n } : { afterSeconds: n };
}

function describeRetirement(
  retirement: { status: string; retireAt?: string; code?: string; reason?: string } | undefined,
): string {
  switch (retirement?.status) {
    case 'RETIRED':
      return 'retired (detached, INACTIVE)';
    case 'SCHEDULED':
      return `to be retired at ${retirement.retireAt ?? '?'}`;
    case 'KEPT':
      return 'kept ACTIVE';
    case 'BLOCKED':
      return `not retired: ${retirement.reason ?? retirement.code ?? ''}`;
    default:
      return retirement?.status ?? 'as it was';
  }
}
