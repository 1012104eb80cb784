import { parseCdf, parseParams } from '../args/parse-params.js';
import { ExitCode } from '../exit-codes.js';
import { idempotencyKey } from '../idempotency-key.js';
import type { CommandContext } from './context.js';
import { endedTask, withoutKey } from './single-outcome.js';
import { writeSingleTask } from './write-single.js';

const WAIT_SECONDS = 25;

/**
 * `provision device --template ID --param K=V …`: one device through `POST /things`, waiting for it
 * (Prefer: wait=25, then polling). The same command twice is the same task, so one device.
 */
export async function deviceCommand(
  ctx: CommandContext,
  options: { template: string; param: string[]; cdf?: string; out?: string },
): Promise<ExitCode> {
  const parameters = parseParams(options.param);
  const cdf = parseCdf(options.cdf);
  const api = await ctx.api();
  const request = {
    provisioningTemplateId: options.template,
    parameters,
    ...(cdf !== undefined ? { cdfProvisioningParameters: cdf } : {}),
  };
  const key = idempotencyKey({
    purpose: 'device',
    templateId: options.template,
    parameters,
    cdfProvisioningParameters: cdf,
  });
  const answer = await api.provision(request, key, WAIT_SECONDS);
  ctx.console.say(`Task ${answer.taskId}`);
  const view = await endedTask(api, answer.taskId);
  const { console } = ctx;
  if (console.json) console.result(withoutKey(view));
  if (view.status === 'FAILED') {
    console.say(`Failed: ${view.error?.code ?? ''}: ${view.error?.message ?? ''}`);
    return ExitCode.devicesFailed;
  }
  console.say(
    `Provisioned ${parameters.ThingName ?? view.resourceArns?.thing ?? 'the device'}: certificate ${view.resourceArns?.certificate ?? 'none'}`,
  );
  if (options.out !== undefined) await writeSingleTask(ctx, view, options.out, parameters.ThingName);
  else if (view.privateKey !== undefined)
    console.say(
      `The private key was not saved: run provision status ${view.taskId} --out <folder> before it expires.`,
    );
  return ExitCode.ok;
}
