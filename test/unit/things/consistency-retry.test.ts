import { describe, expect, it } from '@jest/globals';
import { classifyAwsError } from '../../../src/aws/classify-error.js';
import { isStillAttached, retryWhileAttached } from '../../../src/things/consistency-retry.js';

/** An error shaped like the SDK's: a name, a message and the HTTP status in $metadata. */
function awsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const AWS_THING = awsError(
  'InvalidRequestException',
  'Cannot delete. Thing pump-1 is still attached to one or more principals',
  400,
);
const MOTO_THING = awsError('InvalidRequestException', AWS_THING.message, 409);
const CERTIFICATE = awsError(
  'DeleteConflictException',
  'Things must be detached before deletion (arn: x)',
  409,
);
const CERTIFICATE_POLICIES = awsError(
  'DeleteConflictException',
  'Certificate policies must be detached before deletion (arn: x)',
  409,
);
const POLICY = awsError(
  'DeleteConflictException',
  'The policy cannot be deleted as the policy is attached to one or more principals (name=p)',
  409,
);

describe('isStillAttached', () => {
  it.each([
    ['DeleteThing on AWS', AWS_THING],
    ['DeleteThing on moto', MOTO_THING],
    ['DeleteCertificate, thing', CERTIFICATE],
    ['DeleteCertificate, policies', CERTIFICATE_POLICIES],
    ['DeletePolicy', POLICY],
  ])('recognises %s, raw or classified', (_name, error) => {
    expect(isStillAttached(error)).toBe(true);
    expect(isStillAttached(classifyAwsError(error, 'deleting'))).toBe(true);
  });

  it.each([
    ['another invalid request', awsError('InvalidRequestException', 'The request is not valid.', 400)],
    [
      'a policy with versions',
      awsError('DeleteConflictException', 'it has one or more policy versions', 409),
    ],
    ['throttling', awsError('ThrottlingException', 'Rate exceeded', 429)],
    ['not an error', 'still attached'],
  ])('does not take %s for it', (_name, error) => {
    expect(isStillAttached(error)).toBe(false);
  });
});

describe('retryWhileAttached', () => {
  const policy = { attempts: 5, firstDelayMs: 100, maxDelayMs: 300 };

  it('retries with growing, capped delays until the delete passes', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retryWhileAttached(
      'thing pump-1',
      () => (++calls < 4 ? Promise.reject(AWS_THING) : Promise.resolve('deleted')),
      policy,
      (ms) => Promise.resolve(delays.push(ms)),
    );
    expect(result).toBe('deleted');
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
    // Jittered between half and all of 100, 200, 300 (capped from 400).
    [100, 200, 300].forEach((full, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(full / 2);
      expect(delays[i]).toBeLessThanOrEqual(full);
    });
  });

  it('gives up after the last attempt with a retryable error that names what was attached', async () => {
    let calls = 0;
    const failing = retryWhileAttached(
      'certificate abc',
      () => {
        calls++;
        return Promise.reject(classifyAwsError(CERTIFICATE, 'deleting'));
      },
      policy,
      () => Promise.resolve(),
    );
    await expect(failing).rejects.toMatchObject({ code: 'IOT_STILL_ATTACHED', kind: 'transient' });
    await expect(failing).rejects.toThrow(/certificate abc/);
    expect(calls).toBe(5);
  });

  it('does not retry any other failure', async () => {
    let calls = 0;
    const other = awsError('ThrottlingException', 'Rate exceeded', 400);
    await expect(
      retryWhileAttached(
        'thing',
        () => (calls++, Promise.reject(other)),
        policy,
        () => Promise.resolve(),
      ),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
