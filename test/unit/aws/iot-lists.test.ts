import { describe, expect, it } from '@jest/globals';
import { IoTClient, ThrottlingException } from '@aws-sdk/client-iot';
import { iotLists } from '../../../src/aws/iot-lists.js';

/**
 * A real IoTClient whose transport is replaced by pages as AWS returns them, keyed by the token
 * asked for: the SDK paginators run as they do against AWS, and nothing leaves the process.
 */
function clientWithPages(pages: Record<string, Record<string, unknown>>) {
  const iot = new IoTClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    maxAttempts: 1,
  });
  const asked: { command: string; token: unknown; pageSize: unknown }[] = [];
  iot.middlewareStack.add(
    (_next, context) => (args) => {
      const input = args.input as Record<string, unknown>;
      const token = input.nextToken ?? input.marker;
      asked.push({ command: context.commandName ?? '', token, pageSize: input.maxResults ?? input.pageSize });
      const page = pages[String(token)];
      if (page === undefined) return Promise.reject(new Error(`no page for token ${String(token)}`));
      if (page.throttle === true) {
        return Promise.reject(new ThrottlingException({ message: 'slow down', $metadata: {} }));
      }
      return Promise.resolve({ output: { $metadata: {}, ...page }, response: {} });
    },
    { step: 'initialize', name: 'cannedPages' },
  );
  return { iot, asked };
}

describe('iotLists', () => {
  it('follows nextToken to the last page, in order, with the page size asked for', async () => {
    const { iot, asked } = clientWithPages({
      undefined: { principals: ['a', 'b'], nextToken: 't1' },
      t1: { principals: ['c'], nextToken: 't2' },
      t2: { principals: ['d'] },
    });
    expect(await iotLists(iot, 2).thingPrincipals('pump')).toEqual(['a', 'b', 'c', 'd']);
    expect(asked).toEqual([
      { command: 'ListThingPrincipalsCommand', token: undefined, pageSize: 2 },
      { command: 'ListThingPrincipalsCommand', token: 't1', pageSize: 2 },
      { command: 'ListThingPrincipalsCommand', token: 't2', pageSize: 2 },
    ]);
  });

  it('follows the marker of the calls that page by marker', async () => {
    const { iot, asked } = clientWithPages({
      undefined: { policies: [{ policyName: 'p1', policyArn: 'arn:p1' }], nextMarker: 'm1' },
      m1: { policies: [{ policyName: 'p2', policyArn: 'arn:p2' }, { policyName: 'no-arn' }] },
    });
    expect(await iotLists(iot).attachedPolicies('arn:cert')).toEqual([
      { policyName: 'p1', policyArn: 'arn:p1' },
      { policyName: 'p2', policyArn: 'arn:p2' },
    ]);
    expect(asked.map((a) => a.token)).toEqual([undefined, 'm1']);
  });

  it.each([[null], [''], [undefined]])('ends on a next token of %p', async (end) => {
    const { iot } = clientWithPages({
      undefined: { things: ['a'], nextToken: 't1' },
      t1: { things: ['b'], nextToken: end },
    });
    expect(await iotLists(iot).principalThings('arn:cert')).toEqual(['a', 'b']);
  });

  it('accepts pages without items', async () => {
    const { iot } = clientWithPages({ undefined: { nextMarker: 'm1' }, m1: { targets: ['x'] } });
    expect(await iotLists(iot).policyTargets('policy')).toEqual(['x']);
  });

  it('stops at a token AWS repeats instead of looping for ever', async () => {
    const { iot, asked } = clientWithPages({
      undefined: { thingGroups: [{ groupName: 'g1', groupArn: 'arn:g1' }], nextToken: 't1' },
      t1: { thingGroups: [{ groupName: 'g2', groupArn: 'arn:g2' }], nextToken: 't1' },
    });
    expect(await iotLists(iot).thingGroups('pump')).toEqual([
      { groupName: 'g1', groupArn: 'arn:g1' },
      { groupName: 'g2', groupArn: 'arn:g2' },
    ]);
    expect(asked).toHaveLength(2);
  });

  it('classifies a failure on any page like any other AWS call', async () => {
    const { iot } = clientWithPages({
      undefined: { principals: ['a'], nextToken: 't1' },
      t1: { throttle: true },
    });
    await expect(iotLists(iot).thingPrincipals('pump')).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringContaining("listing the principals of thing 'pump'") as unknown,
    });
  });
});
