import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { errnoOf } from '../errors.js';

/** Each JSON line of a file written by this tool; nothing when the file does not exist yet. */
export async function* readNdjsonFile<T>(path: string): AsyncGenerator<T> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => {
        resolve();
      });
      stream.once('error', reject);
    });
  } catch (e: unknown) {
    if (errnoOf(e) === 'ENOENT') return;
    throw e;
  }
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    try {
      yield JSON.parse(text) as T;
    } catch {
      // A line cut by a crash of an older version: the rebuild drops it.
    }
  }
}
