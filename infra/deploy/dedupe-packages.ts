import type { Plugin } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * An esbuild plugin that bundles one copy of each identical package. npm nests a separate copy of
 * the same version of `@smithy/core`, `@aws-sdk/core` and friends under every AWS SDK client when
 * the hoisted copy is another version (here: ACM PCA is pinned to an old SDK release), and a
 * bundler would include each copy again. A nested copy is replaced by the canonical one (the
 * first production copy in path order) only when both are the same version *and* every dependency of the
 * two resolves to the same version, so the bundled program is the one npm installed.
 */
interface LockPackage {
  version?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
}

export function dedupePackages(root: string): Plugin {
  const canonical = canonicalCopies(root);
  return {
    name: 'dedupe-identical-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === SKIP || args.kind === 'entry-point') return undefined;
        const result = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: SKIP,
        });
        if (result.errors.length > 0 || result.external) return result;
        const copy = packageDirOf(root, result.path);
        const target = copy === undefined ? undefined : canonical.get(copy);
        if (copy === undefined || target === undefined) return result;
        const path = join(root, target, result.path.slice(join(root, copy).length));
        return existsSync(path) ? { ...result, path } : result;
      });
    },
  };
}

const SKIP = Symbol('dedupe: resolving normally');

/** `node_modules/a/node_modules/@s/b/dist/x.js` → `node_modules/a/node_modules/@s/b` */
function packageDirOf(root: string, file: string): string | undefined {
  const rel = file.startsWith(root) ? file.slice(root.length).split(sep).join('/') : undefined;
  if (rel === undefined) return undefined;
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(rel.replace(/^\//, ''));
  return match?.[1];
}

/** Maps every redundant copy (path in package-lock.json) to the copy bundled instead. */
export function canonicalCopies(root: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const packages = lock.packages;
  const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

  /** Where `dep` resolves from the package at `path`: the nearest enclosing node_modules. */
  const resolveFrom = (path: string, dep: string): string | undefined => {
    let base = path;
    for (;;) {
      const candidate = `${base}/node_modules/${dep}`;
      if (packages[candidate] !== undefined) return candidate;
      const cut = base.lastIndexOf('/node_modules/');
      if (cut < 0) return packages[`node_modules/${dep}`] === undefined ? undefined : `node_modules/${dep}`;
      base = base.slice(0, cut);
    }
  };
  // A package's identity: its name and version, and the identity of whatever each of its
  // dependencies resolves to, recursively. A cycle counts as the package's name and version.
  const memo = new Map<string, string>();
  const fingerprint = (path: string): string => {
    const known = memo.get(path);
    if (known !== undefined) return known;
    const pkg = packages[path] ?? {};
    const self = `${nameOf(path)}@${pkg.version ?? '?'}`;
    memo.set(path, self);
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies });
    const resolved = deps.sort().map((d) => {
      const at = resolveFrom(path, d);
      return at === undefined ? `${d}@-` : fingerprint(at);
    });
    const full = `${self}(${resolved.join(',')})`;
    memo.set(path, full);
    return full;
  };

  const groups = new Map<string, string[]>();
  for (const path of Object.keys(packages).sort()) {
    if (!path.startsWith('node_modules/')) continue;
    const key = fingerprint(path);
    groups.set(key, [...(groups.get(key) ?? []), path]);
  }
  const canonical = new Map<string, string>();
  for (const paths of groups.values()) {
    // A production dependency first: a build without dev dependencies must still find it.
    const [first, ...others] = paths.sort(
      (a, b) => Number(packages[a]?.dev === true) - Number(packages[b]?.dev === true) || (a < b ? -1 : 1),
    );
    if (first === undefined) continue;
    for (const other of others) canonical.set(other, first);
  }
  return canonical;
}
