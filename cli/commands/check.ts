import { parseParams } from '../args/parse-params.js';
import { InputRefusedError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { preflight } from '../input/preflight.js';
import { reportPreflight } from './preflight-report.js';
import type { CommandContext } from './context.js';

/**
 * `provision check FILE [--param K=V …]`: the local pre-flight alone, no API needed (what
 * `provision bulk` does first). Exit 0 when the file has no problems, 2 when it has.
 */
export async function checkCommand(
  ctx: CommandContext,
  file: string,
  options: { param: string[] },
): Promise<ExitCode> {
  const defaults = parseParams(options.param);
  const checked = await preflight(file, defaults);
  reportPreflight(ctx, checked, defaults);
  if (ctx.console.json)
    ctx.console.result({
      file: checked.path,
      format: checked.format,
      devices: checked.devices,
      sha256: checked.sha256,
      problems: checked.problems.toJSON(),
    });
  if (checked.devices === 0)
    throw new InputRefusedError('BULK_INPUT_EMPTY', `${file} has a header but no device lines`);
  return checked.problems.total === 0 ? ExitCode.ok : ExitCode.refused;
}
