import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiError,
  ApiUnreachableError,
  InterruptedError,
  UsageError,
  exitCodeOf,
} from '../../../cli/errors.js';
import { runCli } from '../../support/cli.js';

async function csv(text: string, name = 'line7.csv'): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'provision-exit-')), name);
  await writeFile(path, text);
  return path;
}

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

describe('exit status', () => {
  it('maps errors: refused 2, unavailable 3, interrupted 130', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new ApiError(400, 'TEMPLATE_NOT_FOUND', 'x'))).toBe(2);
    expect(exitCodeOf(new ApiError(404, 'TASK_NOT_FOUND', 'x'))).toBe(2);
    expect(exitCodeOf(new ApiError(409, 'TASK_ID_REUSED', 'x'))).toBe(2);
    expect(exitCodeOf(new ApiError(503, 'SERVICE_UNAVAILABLE', 'x'))).toBe(3);
    expect(exitCodeOf(new ApiUnreachableError('http://x', new Error('ECONNREFUSED')))).toBe(3);
    expect(exitCodeOf(new InterruptedError('x'))).toBe(130);
  });

  it('is 2 for usage errors, with a hint', async () => {
    for (const args of [
      ['frobnicate'],
      ['bulk', 'x.csv'],
      ['device', '--template', 't', '--param', 'no-equals-sign'],
    ]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toBe('');
    }
    expect((await runCli(['--help'])).code).toBe(0);
  });

  it('is 2 when the file cannot be used, before anything is sent', async () => {
    const port = await closedPort();
    const api = `http://127.0.0.1:${port}`;
    const missing = await runCli(['bulk', '/nonexistent/line7.csv', '--template', 't', '--api', api]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read /nonexistent/line7.csv: no such file');

    const empty = await runCli(['bulk', await csv('\ufeff\r\n'), '--template', 't', '--api', api]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('BULK_INPUT_EMPTY');

    const headerOnly = await runCli([
      'bulk',
      await csv('ThingName;Site\r\n'),
      '--template',
      't',
      '--api',
      api,
    ]);
    expect(headerOnly.code).toBe(2);
    expect(headerOnly.stderr).toContain('no device lines');

    const badHeader = await runCli([
      'bulk',
      await csv('Thing Name,Site\npump-1,a\n'),
      '--template',
      't',
      '--api',
      api,
    ]);
    expect(badHeader.code).toBe(2);
    expect(badHeader.stderr).toContain("'Thing Name' is not a parameter name");

    const problems = await runCli([
      'bulk',
      await csv('ThingName,SerialNumber,Site\npump-1,SN-1,a\npump-1,SN-2,b\npump-3,SN-3\n'),
      '--template',
      't',
      '--api',
      api,
    ]);
    expect(problems.code).toBe(2);
    expect(problems.stdout).toContain('THING_NAME_DUPLICATE: 1 line(s)');
    expect(problems.stdout).toContain('line 3 (pump-1): the thing name is also on line 2');
    expect(problems.stdout).toContain('BULK_LINE_INVALID: 1 line(s)');
    expect(problems.stdout).toContain('line 4: the line has 2 field(s), the header has 3');
    expect(problems.stderr).toContain('--yes');
  });

  it('is 3 when the API cannot be reached', async () => {
    const port = await closedPort();
    const run = await runCli([
      'bulk',
      await csv('ThingName\npump-1\n'),
      '--template',
      't',
      '--api',
      `http://127.0.0.1:${port}`,
    ]);
    expect(run.stdout).toContain('no problems found');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Could not reach the API at http://127.0.0.1:${port}`);
  });
});
