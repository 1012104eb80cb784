import { beforeAll, describe, expect, it } from '@jest/globals';
import { BUNDLE_NAMES, readableBundles, type BundleName } from '../../infra/deploy/bundles.js';
import { ANY_RESOURCE_ACTIONS, neededActions } from '../../infra/deploy/iam-actions.js';
import { scanSdkCalls, splitSections, type SdkScan } from '../../infra/deploy/sdk-calls.js';
import {
  grants,
  packagedTemplate,
  referencedId,
  runtimes,
  type Runtime,
  type Template,
} from './cloudformation.js';

/**
 * Least privilege, derived from the code: each bundle is built as it is deployed, the AWS SDK
 * commands its code can send are read out of it (infra/deploy/sdk-calls.ts) and mapped to IAM
 * actions (infra/deploy/iam-actions.ts), and each function's role in the packaged CloudFormation
 * template must grant exactly those: a missing action fails in AWS (AccessDenied), a surplus one
 * is a permission nothing uses. The failure names the function, the role and the action.
 */
const ROLES_FILE = 'infra/deploy/iam-roles.yml';
let template: Template;
const scans = new Map<BundleName, SdkScan & { text: string; inputs: string[] }>();

beforeAll(async () => {
  const [packaged, bundles] = await Promise.all([packagedTemplate(), readableBundles(BUNDLE_NAMES)]);
  template = packaged;
  for (const [name, { text, inputs }] of bundles) scans.set(name, { ...scanSdkCalls(text), text, inputs });
});

function scanOf(bundle: BundleName) {
  const scan = scans.get(bundle);
  if (scan === undefined) throw new Error(`bundle ${bundle} was not scanned`);
  return scan;
}

function differences(runtime: Runtime): string[] {
  const { needs } = neededActions(scanOf(runtime.bundle).calls, {
    kind: runtime.kind,
    eventSource: runtime.eventSourceQueues.length > 0,
  });
  const granted = new Set(
    grants(template, runtime.roleId).flatMap((g) => (g.effect === 'Allow' ? g.actions : [])),
  );
  const where = `${runtime.name} (role ${runtime.roleId} in ${ROLES_FILE})`;
  return [
    ...needs
      .filter((n) => !granted.has(n.action))
      .map((n) => `${where}: missing ${n.action}, needed by ${n.because}`),
    ...[...granted]
      .filter((a) => !needs.some((n) => n.action === a))
      .sort()
      .map((a) => `${where}: surplus ${a}, granted but nothing in bundle '${runtime.bundle}' needs it`),
  ];
}

describe('the scan of the bundles', () => {
  it('reads every source file of each bundle', () => {
    for (const name of BUNDLE_NAMES) {
      const { text, inputs } = scanOf(name);
      const sections = new Set(splitSections(text).map((s) => s.path));
      expect({ name, unread: inputs.filter((i) => !sections.has(i)) }).toEqual({ name, unread: [] });
    }
  });

  it('finds calls where they are made, in our code and in libraries', () => {
    const worker = scanOf('worker').calls;
    expect(worker).toContainEqual({
      command: 'CreateThingCommand',
      pkg: '@aws-sdk/client-iot',
      sentFrom: ['src/provisioning/steps/thing.ts'],
    });
    expect(worker).toContainEqual(
      expect.objectContaining({ command: 'UpdateCommand', pkg: '@aws-sdk/lib-dynamodb' }),
    );
    // sqs-consumer's own calls count for the container, and only there.
    expect(scanOf('container').calls).toContainEqual({
      command: 'DeleteMessageBatchCommand',
      pkg: '@aws-sdk/client-sqs',
      sentFrom: ['node_modules/sqs-consumer/dist/esm/consumer.js'],
    });
    expect(worker.map((c) => c.command)).not.toContain('ReceiveMessageCommand');
    // The SDK's internal calls (S3's CreateSession for directory buckets) are not ours.
    expect(worker.map((c) => c.command)).not.toContain('CreateSessionCommand');
  });

  it('can name the IAM actions of every command the bundles send', () => {
    const problems = BUNDLE_NAMES.flatMap((name) => {
      const scan = scanOf(name);
      return [
        ...scan.problems,
        ...neededActions(scan.calls, { kind: 'container', eventSource: false }).problems,
      ];
    });
    expect(problems).toEqual([]);
  });
});

describe('each function has its own least-privilege role', () => {
  it('the template has the functions and the container role this test checks', () => {
    expect(runtimes(template).map((r) => [r.name, r.bundle, r.roleId])).toEqual([
      ['api', 'api', 'ApiRole'],
      ['requestsWorker', 'worker', 'RequestsWorkerRole'],
      ['deadLetters', 'worker', 'DeadLettersRole'],
      ['bulkWorker', 'worker', 'BulkWorkerRole'],
      ['bulkDeadLetters', 'worker', 'BulkDeadLettersRole'],
      ['lifecycleTick', 'lifecycle', 'LifecycleRole'],
      ['container', 'container', 'WorkerContainerTaskRole'],
    ]);
    const roles = runtimes(template).map((r) => r.roleId);
    expect(new Set(roles).size).toBe(roles.length);
    // No shared default role and no managed policies granting what this test cannot see.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    for (const role of roles) {
      expect({ role, managed: template.Resources[role]?.Properties?.ManagedPolicyArns }).toEqual({
        role,
        managed: undefined,
      });
    }
  });

  it.each([
    'api',
    'requestsWorker',
    'deadLetters',
    'bulkWorker',
    'bulkDeadLetters',
    'lifecycleTick',
    'container',
  ])('%s: its role grants exactly the actions its code sends', (name) => {
    const runtime = runtimes(template).find((r) => r.name === name);
    if (runtime === undefined) throw new Error(`no runtime ${name} in the template`);
    expect(differences(runtime)).toEqual([]);
  });

  it('grants name actions, not wildcards, and "*" resources only where AWS allows nothing narrower', () => {
    const findings = runtimes(template).flatMap((r) =>
      grants(template, r.roleId).flatMap((g) => [
        ...g.actions
          .filter((a) => a.includes('*'))
          .map((a) => `${r.roleId}/${g.sid ?? '?'}: wildcard action ${a}`),
        ...(g.resources.includes('*')
          ? g.actions
              .filter((a) => !ANY_RESOURCE_ACTIONS.has(a))
              .map((a) => `${r.roleId}/${g.sid ?? '?'}: ${a} is granted on "*"; name its resources`)
          : []),
      ]),
    );
    expect(findings).toEqual([]);
  });

  it("an SQS event source's own permissions are on the queue it reads", () => {
    for (const r of runtimes(template).filter((x) => x.eventSourceQueues.length > 0)) {
      const receive = grants(template, r.roleId).filter((g) => g.actions.includes('sqs:ReceiveMessage'));
      const queues = receive.flatMap((g) => g.resources.map(referencedId));
      expect({ fn: r.name, queues }).toEqual({ fn: r.name, queues: r.eventSourceQueues });
    }
  });
});
