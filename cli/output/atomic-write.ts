import { chmod, rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes a file so that a reader (or an interrupted run) sees the old content or the new, never
 * half: write a sibling, set its mode, rename it over the target. The sibling's name is fixed,
 * so an interrupted write leaves at most one stale `.partial` that the next write replaces.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const partial = `${path}.partial`;
  await rm(partial, { force: true });
  await writeFile(partial, data, { mode, flag: 'wx' });
  await chmod(partial, mode);
  await rename(partial, path);
}
