import { randomBytes } from 'node:crypto';

/**
 * Names for what tests make in the shared emulator's registry, which outlives a run: random parts
 * keep reruns and parallel files from meeting each other's things.
 */

/** A new name on every call. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Names for one test file's run: the same `what` gives the same name until the file runs again. */
export function runNames(prefix: string): (what: string) => string {
  const run = randomBytes(3).toString('hex');
  return (what) => `${prefix}-${run}-${what}`;
}
