import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BUNDLE_NAMES, ROOT, writeBundles, type BundleName } from './bundles.js';

/**
 * `tsx infra/deploy/build.ts [outDir] [bundle ...]`: builds the bundles (default: all) into
 * `<outDir>/<name>/index.mjs` (default `dist/`), the input of `serverless package` and of the
 * container image.
 */
export async function buildAll(outDir: string, names: BundleName[] = BUNDLE_NAMES): Promise<void> {
  await Promise.all(names.map((name) => rm(join(outDir, name), { recursive: true, force: true })));
  await writeBundles(names, outDir);
}

const invokedAsScript =
  process.argv[1] !== undefined && resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (invokedAsScript) {
  const [outDir, ...names] = process.argv.slice(2);
  const unknown = names.filter((n) => !(BUNDLE_NAMES as string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`Unknown bundle(s) ${unknown.join(', ')}; known: ${BUNDLE_NAMES.join(', ')}`);
  await buildAll(
    resolve(outDir ?? join(ROOT, 'dist')),
    names.length > 0 ? (names as BundleName[]) : BUNDLE_NAMES,
  );
}
