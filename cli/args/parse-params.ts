import { readFileSync } from 'node:fs';
import { PARAMETER_NAME } from '../../src/bulk/input-line.js';
import { CdfProvisioningParameters } from '../../src/tasks/request.js';
import { validator } from '../../src/validation.js';
import { UsageError } from '../errors.js';

/** `--param K=V …` as a map; a name twice, or a malformed pair, is a usage error. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || !PARAMETER_NAME.test(name))
      throw new UsageError(
        `--param ${pair}: write NAME=VALUE, NAME being a template parameter (letters, digits and : _ . -)`,
      );
    if (name in out) throw new UsageError(`--param ${name} is given twice`);
    out[name] = pair.slice(eq + 1);
  }
  return out;
}

const cdfShape = validator(CdfProvisioningParameters);

/** `--cdf '{"caId":"…"}'` or `--cdf @file.json`: CDF's provisioning parameters for every device. */
export function parseCdf(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let json = text;
  if (text.startsWith('@')) {
    try {
      json = readFileSync(text.slice(1), 'utf8');
    } catch (e: unknown) {
      throw new UsageError(
        `--cdf ${text}: cannot read the file (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new UsageError('--cdf must be a JSON object (or @file holding one)');
  }
  const problems = cdfShape.problems(value);
  if (problems.length > 0) throw new UsageError(`--cdf: ${problems.join('; ')}`);
  return value as Record<string, unknown>;
}

/** A positive integer option. */
export function parseLimit(text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--limit must be a whole number from 1 to ${max}`);
  return n;
}
