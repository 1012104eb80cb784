import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../support/cli.js';
import { request } from '../support/http.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * Ctrl-C while following stops following, not the task, and prints the command that resumes.
 * No workers run while the CLI is interrupted, so the task cannot finish first: the interruption
 * waits on state, not on timing.
 */
const env = useStack({ api: true });
const name = runNames('cli-interrupt');

describe('Ctrl-C while following', () => {
  it('leaves the task running and prints the exact command that picks it up again', async () => {
    const parameters = Array.from({ length: 4 }, (_, i) => ({ ThingName: name(`d${i}`) }));
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: 'aws-certificate', parameters },
    });
    const taskId = String(submitted.body.taskId);
    const out = await mkdtemp(join(tmpdir(), 'provision-interrupt-'));

    const following = startCli(['follow', taskId, '--out', out, '--api', env.api.url]);
    await waitFor(
      'a progress line',
      () => Promise.resolve(following.stdout()),
      (s) => s.includes('provisioning: '),
    );
    following.child.kill('SIGINT');
    const stopped = await following.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Stopped following; task ${taskId} goes on without you. Resume with:`);
    const resume = /Resume with:\n {2}(.+)\n/.exec(stopped.stderr)?.[1] ?? '';
    expect(resume).toBe(`provision follow ${taskId} --api ${env.api.url} --out ${out}`);
    const view = await request(env.api.url, 'GET', `/bulkthings/${taskId}`);
    expect(view.body.status).not.toBe('Cancelled');

    const workers = env.stack.startWorkers();
    try {
      const resumed = await runCli(resume.split(' ').slice(1));
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain(`Task ${taskId}: Completed: 4 devices, 4 succeeded, 0 failed`);
      expect((await readdir(out)).filter((f) => f.startsWith(name('')))).toHaveLength(4);
      expect((await readFile(join(out, 'results.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(4);
    } finally {
      await workers.stop();
    }
  });
});
