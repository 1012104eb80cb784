// Builds the CLI's bundle: cli/main.ts and everything it imports in one ES module
// (dist/cli/provision.js), with the AWS credential chain, which only `--auth iam` loads, split
// into its own chunk. One build at a time (a lock file naming the builder's process): a run that
// finds a build under way waits for it. Also `npm run build:cli`.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { OUT_DIR, ROOT, bundleIsCurrent } from './bundle-state.mjs';

const LOCK = `${ROOT}dist/cli.lock`;

export async function buildCliBundle() {
  mkdirSync(`${ROOT}dist`, { recursive: true });
  while (!takeLock()) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    if (!bundleIsCurrent()) await buildInto(OUT_DIR);
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function takeLock() {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(readFileSync(LOCK, { encoding: 'utf8', flag: 'a+' }));
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) rmSync(LOCK, { force: true });
    return false;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
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
