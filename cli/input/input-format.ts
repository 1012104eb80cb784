import { extname } from 'node:path';

export type InputFormat = 'csv' | 'ndjson';

/**
 * CSV or NDJSON: by the file's extension, else by its first non-blank byte (`{` starts an NDJSON
 * object; a CSV starts with its header). The upload's file name tells the API the same.
 */
export function formatOf(path: string, firstBytes: Uint8Array): InputFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  let i = firstBytes[0] === 0xef && firstBytes[1] === 0xbb && firstBytes[2] === 0xbf ? 3 : 0;
  while (i < firstBytes.length && [0x20, 0x09, 0x0d, 0x0a].includes(firstBytes[i] ?? 0)) i++;
  return firstBytes[i] === 0x7b ? 'ndjson' : 'csv';
}
