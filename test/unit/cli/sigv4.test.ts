import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { regionOfHost } from '../../../cli/api/sigv4.js';
import { runCli } from '../../support/cli.js';
import { verifySigV4, type ReceivedRequest } from './sigv4-verifier.js';

/**
 * The CLI against a server that checks every request's signature itself (and answers as the API
 * would, with nothing behind it): `--auth iam` must sign each call so that an independent SigV4
 * implementation accepts it; `--token` must send the bearer token.
 */
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const REGION = 'eu-west-1';
const received: { request: ReceivedRequest; verdict: ReturnType<typeof verifySigV4> }[] = [];
let server: Server;
let signedPost: ReceivedRequest | undefined;
let url: string;

/** What the API would answer, for the few calls these tests make. */
function answer(request: ReceivedRequest): [number, unknown] {
  const path = request.target.split('?')[0];
  if (request.method === 'GET' && path === '/bulkthings') return [200, { tasks: [] }];
  if (request.method === 'POST' && path === '/things') return [202, { taskId: 't-1', status: 'PENDING' }];
  if (request.method === 'GET' && path === '/provisioningtasks/t-1')
    return [200, { taskId: 't-1', status: 'SUCCEEDED', resourceArns: {} }];
  return [404, { code: 'ROUTE_NOT_FOUND', message: `No such endpoint: ${request.method} ${path ?? ''}` }];
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        target: req.url ?? '',
        headers: req.headers,
        body: await bodyOf(req),
      };
      const bearer = req.headers.authorization?.startsWith('Bearer ') === true;
      const verdict = bearer
        ? { ok: req.headers.authorization === 'Bearer jwt-for-test' }
        : verifySigV4(request, credentials, { region: REGION, service: 'execute-api', now: new Date() });
      received.push({ request, verdict });
      const [status, body] = verdict.ok
        ? answer(request)
        : [403, { code: 'FORBIDDEN', message: verdict.reason ?? 'bad token' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const awsEnv = {
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: 'session-token-for-test',
  // No profile files: the chain must find the environment's credentials first.
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

/** The CLI signing with SigV4 against the verifying server. */
const signed = (args: string[]) =>
  runCli([...args, '--api', url, '--auth', 'iam', '--region', REGION], awsEnv);

describe('calls signed with SigV4 (--auth iam)', () => {
  it('signs reads with a query string and writes with a JSON body, session token included', async () => {
    received.length = 0;
    const list = await signed(['tasks', '--status', 'Completed', '--template', 'a b/c', '--limit', '5']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const device = await signed([
      'device',
      '--template',
      'aws-certificate',
      '--param',
      'ThingName=pump-1',
      '--param',
      'Site=Köln Süd',
    ]);
    expect(device.stderr).toBe('');
    expect(device.code).toBe(0);
    expect(received.map((r) => `${r.request.method} ${r.request.target.split('?')[0]}`)).toEqual([
      'GET /bulkthings',
      'POST /things',
      'GET /provisioningtasks/t-1',
    ]);
    for (const { verdict } of received) {
      expect(verdict).toMatchObject({ ok: true });
      expect(verdict.signedHeaders).toEqual(
        expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']),
      );
    }
    expect(received[0]?.request.target).toContain('templateId=a+b%2Fc');
    expect(JSON.parse(received[1]?.request.body ?? '{}')).toMatchObject({ parameters: { Site: 'Köln Süd' } });
    signedPost = received[1]?.request;
  });

  it('takes the region from an execute-api host name, and a wrong region is refused by the server', async () => {
    received.length = 0;
    const wrong = await runCli(['tasks', '--api', url, '--auth', 'iam', '--region', 'us-west-2'], awsEnv);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('scope us-west-2/execute-api');
    expect(regionOfHost('a1b2c3.execute-api.eu-central-1.amazonaws.com')).toBe('eu-central-1');
    expect(regionOfHost('api.example.com')).toBeUndefined();
    const noRegion = await runCli(['tasks', '--api', url, '--auth', 'iam'], awsEnv);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('--auth iam needs the API');
  });

  it('the check is not vacuous: the signed request changed in any part fails it', () => {
    const post = signedPost;
    if (post === undefined) throw new Error('the first test did not record a signed POST');
    const check = (r: ReceivedRequest, now = new Date()) =>
      verifySigV4(r, credentials, { region: REGION, service: 'execute-api', now }).ok;
    expect(check(post)).toBe(true);
    expect(check({ ...post, body: post.body.replace('pump-1', 'pump-2') })).toBe(false);
    expect(check({ ...post, target: '/things/' })).toBe(false);
    expect(check({ ...post, method: 'PUT' })).toBe(false);
    expect(check({ ...post, headers: { ...post.headers, 'x-amz-security-token': 'other' } })).toBe(false);
    expect(check(post, new Date(Date.now() + 3_600_000))).toBe(false);
  });
});

describe('calls with a JWT (--token)', () => {
  it('sends the token as a bearer, from the option or PROVISION_TOKEN', async () => {
    received.length = 0;
    expect((await runCli(['tasks', '--api', url, '--token', 'jwt-for-test'])).code).toBe(0);
    expect((await runCli(['tasks', '--api', url], { PROVISION_TOKEN: 'jwt-for-test' })).code).toBe(0);
    const refused = await runCli(['tasks', '--api', url, '--token', 'wrong']);
    expect(refused.code).toBe(2);
    expect(received.map((r) => r.request.headers.authorization)).toEqual([
      'Bearer jwt-for-test',
      'Bearer jwt-for-test',
      'Bearer wrong',
    ]);
  });
});
