import type { TaskView } from '../api/schemas.js';
import { CredentialFolder } from '../output/credential-folder.js';
import type { CommandContext } from './context.js';
import { singleOutcome } from './single-outcome.js';

/** Writes a finished single-device task into the output folder. */
export async function writeSingleTask(
  ctx: CommandContext,
  view: TaskView,
  out: string,
  thingNameHint?: string,
): Promise<void> {
  const outcome = singleOutcome(view, thingNameHint);
  if (outcome === undefined) return;
  const folder = await CredentialFolder.open(out);
  try {
    const directory = await folder.writeSingle(outcome);
    if (directory !== undefined) ctx.console.say(`Wrote ${folder.dir}/${directory}/ and results.ndjson`);
  } finally {
    await folder.close();
  }
}
