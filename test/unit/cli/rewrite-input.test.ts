import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteInput } from '../../../cli/input/rewrite-input.js';
import { readInput } from '../../../cli/input/read-input.js';

async function file(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'provision-rewrite-')), name);
  await writeFile(path, text);
  return path;
}

async function linesOf(path: string) {
  const input = await readInput(path);
  const out: unknown[] = [];
  for await (const l of input.lines)
    out.push('error' in l ? { line: l.line, error: true } : { line: l.line, ...l.parameters });
  return out;
}

describe('the file sent when the command changes lines', () => {
  it('adds --param values where a line has none, drops the error column, and keeps every line number', async () => {
    const path = await file(
      'line7.csv',
      '\ufeffThingName;Site;error\r\n\r\npump-1;;THROTTLED: slow down\r\npump-2;"own;site";x\r\nbroken;"two\r\nlines";\r\nbad;record\r\npump-3;a;\r\n',
    );
    const rewritten = await rewriteInput(path, { Site: 'plant-7', Line: '3' });
    try {
      expect(await linesOf(rewritten.path)).toEqual([
        { line: 3, ThingName: 'pump-1', Site: 'plant-7', Line: '3' },
        { line: 4, ThingName: 'pump-2', Site: 'own;site', Line: '3' },
        { line: 5, ThingName: 'broken', Site: 'two\r\nlines', Line: '3' },
        { line: 7, error: true },
        { line: 8, ThingName: 'pump-3', Site: 'a', Line: '3' },
      ]);
      expect((await readFile(rewritten.path, 'utf8')).split('\r\n')[0]).toBe('ThingName;Site;Line');
    } finally {
      await rewritten.remove();
    }
  });

  it('does the same for NDJSON', async () => {
    const path = await file(
      'line7.ndjson',
      '{"ThingName":"a","error":"X: y"}\n\nnot json\n{"ThingName":"b","Site":"own"}\n',
    );
    const rewritten = await rewriteInput(path, { Site: 'plant-7' });
    try {
      expect(await linesOf(rewritten.path)).toEqual([
        { line: 1, ThingName: 'a', Site: 'plant-7' },
        { line: 3, error: true },
        { line: 4, ThingName: 'b', Site: 'own' },
      ]);
    } finally {
      await rewritten.remove();
    }
  });
});
