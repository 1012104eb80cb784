import type { CsvLayout } from '../../src/bulk/csv-reader.js';
import { ProblemTally } from '../output/problem-tally.js';
import type { InputFormat } from './input-format.js';
import { NameIndex } from './name-index.js';
import { readInput } from './read-input.js';

/** A column (CSV) or key (NDJSON) named like this is the `error` column `provision` wrote into failures files. */
export const ERROR_COLUMN = 'error';

export interface Preflight {
  path: string;
  format: InputFormat;
  layout?: CsvLayout;
  /** Lines that name a device (blank lines and empty rows excluded). */
  devices: number;
  problems: ProblemTally;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  /** The file carries an `error` column/key from a failures file: it is dropped before upload. */
  hasErrorColumn: boolean;
}

/**
 * What can be known about a bulk file without calling anyone: it is readable, its header works,
 * each line has the header's number of fields, and no thing name appears twice. Request-wide
 * parameters (`--param`) count for lines that do not set them. One streaming pass; memory grows
 * by about 20–24 bytes per distinct thing name (`NameIndex`).
 */
export async function preflight(path: string, defaults: Record<string, string>): Promise<Preflight> {
  const input = await readInput(path);
  const problems = new ProblemTally();
  const names = new NameIndex();
  let devices = 0;
  let hasErrorColumn = input.layout?.columns.includes(ERROR_COLUMN) ?? false;
  for await (const lines of input.linesByRead) {
    for (const line of lines) {
      devices += 1;
      if ('error' in line) {
        problems.add('BULK_LINE_INVALID', { line: line.line, message: line.error });
        continue;
      }
      if (line.parameters[ERROR_COLUMN] !== undefined) hasErrorColumn = true;
      const thingName = line.parameters.ThingName ?? defaults.ThingName;
      if (thingName === undefined) continue;
      const first = names.firstLineOf(thingName, line.line);
      if (first !== undefined)
        problems.add('THING_NAME_DUPLICATE', {
          line: line.line,
          thingName,
          message: `the thing name is also on line ${first}`,
        });
    }
  }
  return {
    path,
    format: input.format,
    ...(input.layout !== undefined ? { layout: input.layout } : {}),
    devices,
    problems,
    sha256: input.digest(),
    hasErrorColumn,
  };
}
