// The one set-up step before `npm start` and `npm test` (prestart/pretest). Plain Node, no
// dependencies (node_modules may not exist yet); idempotent, and quick when nothing is to do.
//
//   1. node_modules: `npm ci` when node_modules/.package-lock.json is missing, older than
//      package-lock.json, or package.json's dependencies no longer match the lock file.
//   2. moto: writes .local/moto.json ({ command, args, env }, read by infra/moto.ts), the first of:
//      a. MOTO_COMMAND, split on whitespace (it must accept `-H HOST -p PORT`);
//      b. `moto_server` on PATH, if `moto_server --help` works (a pyenv shim is resolved to its script);
//      c. `python3` on PATH that imports moto and flask_cors: `python3 -m moto.server`;
//      d. a private moto installed by an earlier run in .local/moto-debian, run by /usr/bin/python3;
//      e. installing that private copy from Debian packages (bookworm libraries, python3-moto from
//         trixie) with a private apt configuration in .local/apt derived from the machine's own
//         Debian source entry; the system's apt and dpkg state are not touched.
//      The choice is cached in .local/moto-setup.json and re-checked cheaply (its files still exist);
//      delete .local/moto.json to choose again.
//
// Environment:
//   AWS_ENDPOINT_URL   set: skip step 2 (you run your own emulator, or use real AWS).
//   MOTO_COMMAND       step 2a, e.g. MOTO_COMMAND='/opt/moto/bin/moto_server'.
//   MOTO_FORCE_DEBIAN  =1: skip 2a-2c and use (or install) the Debian copy; for testing that path.
import { fileURLToPath } from 'node:url';
import { ensureMoto } from './setup/moto.mjs';
import { ensureNodeModules } from './setup/node-modules.mjs';
import { SetupError } from './setup/util.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

try {
  await ensureNodeModules(root);
  await ensureMoto(root);
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  console.error(`setup: error: ${e.message}`);
  process.exitCode = 1;
}
