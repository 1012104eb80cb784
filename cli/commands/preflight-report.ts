import type { Preflight } from '../input/preflight.js';
import { formatTally } from '../output/problem-tally.js';
import type { CommandContext } from './context.js';

/** The pre-flight's findings for a person: the file's shape, then problems by kind with their first lines. */
export function reportPreflight(
  ctx: CommandContext,
  checked: Preflight,
  defaults: Record<string, string>,
): void {
  const { layout } = checked;
  const shape =
    layout !== undefined
      ? `CSV ('${layout.delimiter}'${layout.bom ? ', byte-order mark' : ''}, ${layout.lineEnding === '\r\n' ? 'CRLF' : 'LF'}), columns ${layout.columns.join(', ')}`
      : 'NDJSON';
  ctx.console.say(`Pre-flight: ${checked.path}: ${shape}; ${checked.devices} device line(s)`);
  const added = Object.keys(defaults);
  if (added.length > 0)
    ctx.console.say(`  --param ${added.join(', ')}: added to every line that has no value of its own`);
  if (checked.hasErrorColumn) ctx.console.say(`  the 'error' column (from a failures file) is ignored`);
  ctx.console.say(checked.problems.total === 0 ? '  no problems found' : formatTally(checked.problems));
}
