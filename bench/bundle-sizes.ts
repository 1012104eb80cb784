import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_NAMES, bundleOptions, writeBundles, type BundleName } from '../infra/deploy/bundles.js';
import { packageService } from '../infra/deploy/sls.js';

/**
 * Deployment artefact sizes and cold-start import time, as a Markdown section for BENCHMARKS.md:
 *
 *   npm run bench:bundles -- [runs=5]   (rows for BENCHMARKS.md)
 *
 * Sizes: each bundle (minified), the zips `serverless package` makes of them, and the bundle
 * built without the package deduplication of infra/deploy/dedupe-packages.ts. Import time: a fresh
 * `node` process per run timing `await import(bundle)` (what a Lambda cold start pays before the
 * handler's first call; the first call then builds the clients and looks up the queue URLs),
 * median of `runs`. Lambda's CPU share at 1024 MB is below one core here, so expect more there.
 */
const runs = Number(process.argv[2] ?? 5);
const dir = await mkdtemp(join(tmpdir(), 'bundle-sizes-'));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

try {
  const dist = join(dir, 'dist');
  await writeBundles(BUNDLE_NAMES, dist);
  const bundleBytes = Object.fromEntries(
    await Promise.all(
      BUNDLE_NAMES.map(async (n) => [n, (await stat(join(dist, n, 'index.mjs'))).size] as const),
    ),
  ) as Record<BundleName, number>;
  const plain = await build({ ...bundleOptions(BUNDLE_NAMES, true, false), write: false, outdir: 'out' });
  const withoutDedupe = Object.fromEntries(
    BUNDLE_NAMES.map((n) => [
      n,
      plain.outputFiles.find((f) => f.path.endsWith(`/out/${n}/index.mjs`))?.contents.byteLength ?? 0,
    ]),
  ) as Record<BundleName, number>;

  const out = join(dir, 'package');
  await packageService({ serviceDir: join(dir, 'service'), outDir: out });
  const zips = (await readdir(out)).filter((f) => f.endsWith('.zip')).sort();
  const zipBytes = Object.fromEntries(
    await Promise.all(
      zips.map(async (z) => [z.replace(/\.zip$/, ''), (await stat(join(out, z))).size] as const),
    ),
  );

  const importMs = (file: string): number => {
    const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
    return Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    );
  };
  const coldStart: Partial<Record<BundleName, number[]>> = {};
  for (const name of ['api', 'worker'] as const) {
    coldStart[name] = Array.from({ length: runs }, () => importMs(join(dist, name, 'index.mjs')));
  }

  const lscpu = (() => {
    try {
      return /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim();
    } catch {
      return undefined;
    }
  })();
  const lines = [
    '## Deployment bundles and cold start',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} CPUs (${lscpu ?? cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} at the end, with \`npx tsx bench/bundle-sizes.ts ${runs}\`.`,
    'Bundles: esbuild, ES module, minified, every dependency (AWS SDK included) inside. Zips: what `serverless package` uploads.',
    `Import: a fresh \`node\` process timing \`await import(bundle)\`, median of ${runs} runs (min-max).`,
    '',
    '| bundle | functions (zip) | bundle | zip | without dedupe | import, median (min-max) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...BUNDLE_NAMES.map((name) => {
      const fns = Object.keys(zipBytes).filter((fn) =>
        name === 'api' ? fn === 'api' : name === 'worker' && fn !== 'api',
      );
      const zip = fns.length > 0 ? kb(zipBytes[fns[0] ?? ''] ?? 0) : 'image only';
      const times = coldStart[name];
      const t =
        times === undefined
          ? 'starts the worker'
          : `${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)})`;
      return `| ${name} | ${fns.join(', ') || 'container'} | ${kb(bundleBytes[name])} | ${zip} | ${kb(withoutDedupe[name])} | ${t} |`;
    }),
    '',
  ];
  process.stdout.write(lines.join('\n'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
