import { ProvisionRequest } from '../tasks/request.js';
import { validator } from '../validation.js';

/**
 * One line of a bulk input: a JSON object of template parameters, UTF-8. A bad line is a failure
 * of that device only, with a reason that names the line's problem.
 */
const parameters = validator(ProvisionRequest.properties.parameters);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type ParsedLine = { parameters: Record<string, string> } | { error: string };

export function parseLine(bytes: Uint8Array): ParsedLine {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { error: 'the line is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    return { error: `the line is not valid JSON (${e instanceof Error ? e.message : 'unreadable'})` };
  }
  const problems = parameters.problems(value);
  // The validator also refuses invalid Unicode, reserved names and deep nesting, naming where.
  if (problems.length > 0) return { error: `the line's parameters are invalid: ${problems.join('; ')}` };
  return { parameters: value as Record<string, string> };
}

/** A line holding only white space is not a device: skipped, and not counted. */
export function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);
}
