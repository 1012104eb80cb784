import { describe, expect, it } from '@jest/globals';
import { iamActionsOf, neededActions } from '../../infra/deploy/iam-actions.js';
import { scanSdkCalls } from '../../infra/deploy/sdk-calls.js';

/** A bundle as esbuild writes it unminified: each file's code after a `// <path>` line. */
const bundle = (files: Record<string, string>) =>
  Object.entries(files)
    .map(([path, code]) => `// ${path}\n${code}\n`)
    .join('\n');

const IOT = 'node_modules/@aws-sdk/client-iot/dist-es';
const DOC = 'node_modules/@aws-sdk/lib-dynamodb/dist-es';

describe('reading AWS SDK calls out of a bundle', () => {
  it('finds commands sent from our code and from libraries, with the package that defines them', () => {
    const scan = scanSdkCalls(
      bundle({
        [`${IOT}/commands/CreateThingCommand.js`]:
          'var CreateThingCommand = class extends command(_ep, _mw, "CreateThing") {\n};',
        [`${DOC}/commands/GetCommand.js`]:
          'var GetCommand2 = class extends DynamoDBDocumentClientCommand {\n};',
        'src/steps/thing.ts': 'await iot.send(new CreateThingCommand({ thingName }));',
        'src/store.ts': 'await doc.send(new GetCommand2({ Key }));',
        'node_modules/some-lib/index.js':
          'client.send(new CreateThingCommand(x)); new ParseCommand("not aws");',
      }),
    );
    expect(scan).toEqual({
      calls: [
        {
          command: 'CreateThingCommand',
          pkg: '@aws-sdk/client-iot',
          sentFrom: ['src/steps/thing.ts', 'node_modules/some-lib/index.js'],
        },
        { command: 'GetCommand', pkg: '@aws-sdk/lib-dynamodb', sentFrom: ['src/store.ts'] },
      ],
      problems: [],
    });
  });

  it("ignores the SDK's own internal calls", () => {
    const scan = scanSdkCalls(
      bundle({
        'node_modules/@aws-sdk/client-s3/dist-es/commands/CreateSessionCommand.js':
          'var CreateSessionCommand = class extends command() {\n};',
        'node_modules/@aws-sdk/client-s3/node_modules/@aws-sdk/middleware-sdk-s3/dist-es/s3-express.js':
          'await client.send(new CreateSessionCommand({ Bucket }));',
      }),
    );
    expect(scan.calls).toEqual([]);
  });

  it('a paginator or waiter sends the commands its own code names', () => {
    const scan = scanSdkCalls(
      bundle({
        [`${IOT}/commands/ListThingPrincipalsCommand.js`]:
          'var ListThingPrincipalsCommand = class extends command() {\n};',
        [`${IOT}/pagination/ListThingPrincipalsPaginator.js`]:
          'var paginateListThingPrincipals = createPaginator(IoTClient, ListThingPrincipalsCommand, "nextToken");',
        'src/lists.ts': 'for await (const page of paginateListThingPrincipals({ client }, { thingName })) {}',
      }),
    );
    expect(scan.calls).toEqual([
      { command: 'ListThingPrincipalsCommand', pkg: '@aws-sdk/client-iot', sentFrom: ['src/lists.ts'] },
    ]);
  });

  it('records the item operations a write transaction carries', () => {
    const scan = scanSdkCalls(
      bundle({
        [`${DOC}/commands/TransactWriteCommand.js`]: 'var TransactWriteCommand = class extends Base {\n};',
        'src/bulk.ts':
          'new TransactWriteCommand({ TransactItems: [{ Update: { Key } }, { ConditionCheck: { Key } }] })',
      }),
    );
    expect(scan.calls[0]?.transactItems).toEqual(['ConditionCheck', 'Update']);
    expect(iamActionsOf(scan.calls[0] ?? { command: '', pkg: '' }).actions).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('reports an aggregated client, whose calls it cannot see', () => {
    const scan = scanSdkCalls(
      bundle({
        [`${IOT}/IoT.js`]: 'var IoT = class extends IoTClient {\n};',
        'src/bad.ts': 'const iot = new IoT({}); await iot.createThing({ thingName });',
      }),
    );
    expect(scan.problems).toEqual([
      expect.stringContaining("src/bad.ts: 'new IoT(...)' is an aggregated SDK client"),
    ]);
  });
});

describe('IAM actions of a command', () => {
  it.each([
    ['@aws-sdk/client-iot', 'CreateThingCommand', ['iot:CreateThing']],
    ['@aws-sdk/client-acm-pca', 'IssueCertificateCommand', ['acm-pca:IssueCertificate']],
    ['@aws-sdk/lib-dynamodb', 'QueryCommand', ['dynamodb:Query']],
    [
      '@aws-sdk/lib-dynamodb',
      'TransactWriteCommand',
      ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    ],
    ['@aws-sdk/client-sqs', 'DeleteMessageBatchCommand', ['sqs:DeleteMessage']],
    ['@aws-sdk/client-sqs', 'ChangeMessageVisibilityBatchCommand', ['sqs:ChangeMessageVisibility']],
    ['@aws-sdk/client-s3', 'HeadObjectCommand', ['s3:GetObject', 's3:ListBucket']],
    ['@aws-sdk/client-kms', 'GenerateDataKeyCommand', ['kms:GenerateDataKey']],
    ['@aws-sdk/client-sts', 'GetCallerIdentityCommand', []],
  ])('%s %s → %j', (pkg, command, actions) => {
    expect(iamActionsOf({ pkg, command })).toEqual({ actions });
  });

  it('refuses to guess for a package or statement it does not know', () => {
    expect(iamActionsOf({ pkg: '@aws-sdk/client-lambda', command: 'InvokeCommand' }).problem).toContain(
      'no IAM service prefix known for @aws-sdk/client-lambda',
    );
    expect(
      iamActionsOf({ pkg: '@aws-sdk/lib-dynamodb', command: 'ExecuteStatementCommand' }).problem,
    ).toContain('ExecuteStatementCommand');
  });

  it("adds what AWS does with a function's role: logs, and an SQS event source's own calls", () => {
    const { needs } = neededActions([], { kind: 'lambda', eventSource: true });
    expect(needs.map((n) => n.action)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    expect(neededActions([], { kind: 'container', eventSource: false }).needs).toEqual([]);
  });
});
