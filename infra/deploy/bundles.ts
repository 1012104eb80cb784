import { build, type BuildOptions, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dedupePackages } from './dedupe-packages.js';

/**
 * The deployable bundles: one self-contained ES module per entry point, with every dependency
 * (the AWS SDK included) inside, so a function runs the SDK version it was tested with and the
 * container image needs no node_modules. The Lambda handlers are `dist/<name>/index.<export>`.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const BUNDLES = {
  api: 'api/lambda.ts',
  worker: 'workers/lambda.ts',
  lifecycle: 'workers/lifecycle-lambda.ts',
  container: 'workers/container.ts',
} as const;
export type BundleName = keyof typeof BUNDLES;
export const BUNDLE_NAMES = Object.keys(BUNDLES) as BundleName[];

/** The Lambda runtime is nodejs20.x (serverless.yml); the container image is node:20-slim. */
export const NODE_TARGET = 'node20';

// CommonJS dependencies (winston, sqs-consumer's helpers) call `require` for Node built-ins, which
// an ES module does not have.
const REQUIRE_SHIM =
  "import { createRequire as __bundleCreateRequire } from 'node:module';" +
  'const require = __bundleCreateRequire(import.meta.url);';

/**
 * The esbuild options for some bundles, built together (modules they share are parsed once) into
 * `<outdir>/<name>/index.mjs`. `dedupe: false` only for measuring what deduplication saves.
 */
export function bundleOptions(
  names: readonly BundleName[],
  minify: boolean,
  dedupe = true,
): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, BUNDLES[name]])),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: NODE_TARGET,
    format: 'esm',
    // ES module builds of the SDK first: they tree-shake, the CommonJS ones do not.
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    minify,
    // Licences of the bundled packages stay in the bundle, at its end.
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
    plugins: dedupe ? [dedupePackages(ROOT)] : [],
  };
}

/** Writes the minified bundles to `<outDir>/<name>/index.mjs`. */
export async function writeBundles(names: readonly BundleName[], outDir: string): Promise<Metafile> {
  const result = await build({ ...bundleOptions(names, true), outdir: outDir });
  return result.metafile;
}

export interface ReadableBundle {
  text: string;
  /** The source files with code in the bundle, as esbuild names them. */
  inputs: string[];
}

/**
 * The same bundles, unminified and in memory, for reading: esbuild starts each source file's code
 * with a `// <path>` line, and keeps its identifiers.
 */
export async function readableBundles(
  names: readonly BundleName[],
): Promise<Map<BundleName, ReadableBundle>> {
  const result = await build({ ...bundleOptions(names, false), write: false, outdir: 'out' });
  const bundles = new Map<BundleName, ReadableBundle>();
  for (const name of names) {
    const suffix = `out/${name}/index.mjs`;
    const file = result.outputFiles.find((f) => f.path.endsWith(`/${suffix}`));
    const meta = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(suffix))?.[1];
    if (file === undefined || meta === undefined) throw new Error(`esbuild wrote no output for ${name}`);
    const inputs = Object.entries(meta.inputs).flatMap(([path, i]) => (i.bytesInOutput > 0 ? [path] : []));
    bundles.set(name, { text: file.text, inputs });
  }
  return bundles;
}
