// Whether the CLI's bundle (dist/cli/) is current: it exists and none of the files it was built
// from (listed by esbuild when it was built) has changed since. Plain Node, no dependencies: this
// runs on every start of `provision`, so it stats a few dozen files and nothing more.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUT_DIR = `${ROOT}dist/cli/`;
export const ENTRY = `${OUT_DIR}provision.js`;
export const INPUTS = `${OUT_DIR}inputs.json`;

export function bundleIsCurrent() {
  let built;
  let inputs;
  try {
    built = statSync(ENTRY).mtimeMs;
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return false;
  }
  try {
    return inputs.every((file) => statSync(`${ROOT}${file}`).mtimeMs <= built);
  } catch {
    return false;
  }
}
