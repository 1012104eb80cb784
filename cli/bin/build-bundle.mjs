// Builds the CLI's bundle: cli/main.ts and everything it imports in one ES module
// (dist/cli/provision.js), with the AWS credential chain, which only `--auth iam` loads, split
// into its own chunk. One build at a time (a lock file): a run that finds a build under way waits
// for it, silently, so its output stays the command's own. Also `npm run build:cli`.
import { build } from 'esbuild';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { OUT_DIR, ROOT, bundleIsCurrent } from './bundle-state.mjs';

const LOCK = `${ROOT}dist/cli.lock`;
/** A build takes seconds; a lock older than this was left by a run that was killed. */
const STALE_LOCK_MS = 120_000;

export async function buildCliBundle() {
  mkdirSync(`${ROOT}dist`, { recursive: true });
  while (!takeLock()) await new Promise((resolve) => setTimeout(resolve, 100));
  try {
    // Checked again under the lock: another first run may have built it while this one waited.
    if (!bundleIsCurrent()) await buildInto(OUT_DIR);
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function takeLock() {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    try {
      if (statSync(LOCK).mtimeMs < Date.now() - STALE_LOCK_MS) rmSync(LOCK, { force: true });
    } catch {
      // Released meanwhile: the next attempt takes it.
    }
    return false;
  }
}

async function buildInto(outDir) {
  const staging = `${outDir.replace(/\/$/, '')}.tmp/`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    entryPoints: { provision: `${ROOT}cli/main.ts` },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    // Some dependencies are CommonJS and call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __provisionRequire } from 'node:module'; const require = __provisionRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  // Dependencies change through the lock file; one stat stands for all of node_modules.
  writeFileSync(`${staging}inputs.json`, JSON.stringify([...inputs, 'package-lock.json', 'package.json']));
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
}
