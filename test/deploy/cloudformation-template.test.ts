import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config.js';
import {
  ofType,
  packagedTemplate,
  referencedId,
  resource,
  type Resource,
  type Template,
} from './cloudformation.js';

/**
 * `serverless package` (offline) of serverless.yml, and what the CloudFormation template it writes
 * deploys: the functions and their event sources, the queues and their redrive, the table with
 * TTL, the bucket, the key, the logs, and the API's authorisation switch.
 */
let template: Template;
let jwtTemplate: Template;

beforeAll(async () => {
  [template, jwtTemplate] = await Promise.all([
    packagedTemplate(),
    packagedTemplate({
      auth: 'jwt',
      jwtIssuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
      jwtAudience: 'example-app-client',
      workerBatchSize: '5',
      workerMaxConcurrency: '7',
    }),
  ]);
});

const props = (r: Resource) => r.Properties ?? {};
const fn = (t: Template, name: string) => props(resource(t, `${name}LambdaFunction`));
const mappingFor = (t: Template, functionId: string) => {
  const found = ofType(t, 'AWS::Lambda::EventSourceMapping').find(
    ([, m]) => referencedId(props(m).FunctionName) === functionId,
  );
  if (found === undefined) throw new Error(`no event source mapping for ${functionId}`);
  return props(found[1]);
};

describe('functions', () => {
  it('are the API, the two queue workers and their dead-letter handlers, the lifecycle tick, on Node 20 (arm64)', () => {
    const functions = ofType(template, 'AWS::Lambda::Function').map(([id, f]) => [
      id,
      props(f).Handler,
      props(f).Runtime,
      props(f).Architectures,
    ]);
    expect(functions).toEqual([
      ['ApiLambdaFunction', 'dist/api/index.handler', 'nodejs20.x', ['arm64']],
      ['RequestsWorkerLambdaFunction', 'dist/worker/index.requests', 'nodejs20.x', ['arm64']],
      ['DeadLettersLambdaFunction', 'dist/worker/index.deadLetters', 'nodejs20.x', ['arm64']],
      ['BulkWorkerLambdaFunction', 'dist/worker/index.bulk', 'nodejs20.x', ['arm64']],
      ['BulkDeadLettersLambdaFunction', 'dist/worker/index.bulkDeadLetters', 'nodejs20.x', ['arm64']],
      ['LifecycleTickLambdaFunction', 'dist/lifecycle/index.tick', 'nodejs20.x', ['arm64']],
    ]);
  });

  it('get a configuration the service accepts, naming the resources of this stack and no emulator', () => {
    for (const [id, f] of ofType(template, 'AWS::Lambda::Function')) {
      const variables = (props(f).Environment as { Variables: Record<string, unknown> }).Variables;
      expect({ id, endpoint: variables.AWS_ENDPOINT_URL }).toEqual({ id, endpoint: undefined });
      expect(referencedId(variables.TABLE_NAME)).toBe('TasksTable');
      expect(variables.REQUESTS_QUEUE_NAME).toEqual({ 'Fn::GetAtt': ['RequestsQueue', 'QueueName'] });
      expect(variables.REQUESTS_DLQ_NAME).toEqual({ 'Fn::GetAtt': ['RequestsDeadLetterQueue', 'QueueName'] });
      expect(variables.BULK_QUEUE_NAME).toEqual({ 'Fn::GetAtt': ['BulkQueue', 'QueueName'] });
      expect(variables.BULK_DLQ_NAME).toEqual({ 'Fn::GetAtt': ['BulkDeadLetterQueue', 'QueueName'] });
      expect(variables.EVENTS_TOPIC_NAME).toEqual({ 'Fn::GetAtt': ['EventsTopic', 'TopicName'] });
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe('iot-provisioning-test');
      expect(referencedId(variables.TEMPLATES_BUCKET)).toBe('TemplatesBucket');
      expect(variables.RESULTS_KMS_KEY_ID).toEqual({ 'Fn::GetAtt': ['ResultsKey', 'Arn'] });
      // The service starts with these values (CloudFormation's references stand in as names).
      const env = Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : `resolved-${k.toLowerCase()}`,
        ]),
      );
      const config = loadConfig({ ...env, AWS_REGION: 'eu-west-1' });
      expect(config.endpoint).toBeUndefined();
      expect(config.encryption.kind).toBe('kms');
    }
  });

  it('log to groups with a retention period', () => {
    const groups = ofType(template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(6);
    for (const [, g] of groups) expect(props(g).RetentionInDays).toBe(30);
  });

  it('the API answers on an HTTP API route for every path, with IAM authorisation by default', () => {
    const routes = ofType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => props(r));
    expect(routes).toEqual([
      expect.objectContaining({ RouteKey: 'ANY /{proxy+}', AuthorizationType: 'AWS_IAM' }),
    ]);
    expect(ofType(template, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    const integration = props(ofType(template, 'AWS::ApiGatewayV2::Integration')[0]?.[1] ?? { Type: '' });
    expect(integration.PayloadFormatVersion).toBe('2.0');
  });

  it('auth=jwt switches the API to a JWT authorizer (a Cognito user pool or any OIDC issuer)', () => {
    const [[id, authorizer] = ['', { Type: '' }]] = ofType(jwtTemplate, 'AWS::ApiGatewayV2::Authorizer');
    expect(props(authorizer)).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
        Audience: ['example-app-client'],
      },
    });
    const [route] = ofType(jwtTemplate, 'AWS::ApiGatewayV2::Route').map(([, r]) => props(r));
    expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: id } });
  });
});

describe('event sources', () => {
  it('each worker reads its queue and reports partial batch failures', () => {
    const expected: [string, string][] = [
      ['RequestsWorkerLambdaFunction', 'RequestsQueue'],
      ['DeadLettersLambdaFunction', 'RequestsDeadLetterQueue'],
      ['BulkWorkerLambdaFunction', 'BulkQueue'],
      ['BulkDeadLettersLambdaFunction', 'BulkDeadLetterQueue'],
    ];
    for (const [functionId, queue] of expected) {
      const mapping = mappingFor(template, functionId);
      expect({ functionId, queue: referencedId(mapping.EventSourceArn) }).toEqual({ functionId, queue });
      expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(
        (mapping.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
      ).toBeGreaterThanOrEqual(2);
    }
    expect(ofType(template, 'AWS::Lambda::EventSourceMapping')).toHaveLength(expected.length);
  });

  it('batch size and maximum concurrency of the requests worker are parameters', () => {
    expect(mappingFor(template, 'RequestsWorkerLambdaFunction')).toMatchObject({
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(mappingFor(jwtTemplate, 'RequestsWorkerLambdaFunction')).toMatchObject({
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 7 },
    });
  });
});

describe('queues', () => {
  it.each([
    ['RequestsQueue', 'RequestsDeadLetterQueue', 'RequestsWorker'],
    ['BulkQueue', 'BulkDeadLetterQueue', 'BulkWorker'],
  ])('%s sends a message to %s after 5 receives, and hides it long enough for %s', (queue, dlq, worker) => {
    const q = props(resource(template, queue));
    expect(q.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
      maxReceiveCount: 5,
    });
    // AWS's guidance for SQS event sources: visibility of at least six times the function timeout.
    expect(Number(q.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * Number(fn(template, worker).Timeout));
    expect(props(resource(template, dlq)).MessageRetentionPeriod).toBe(1209600);
  });

  it('are encrypted at rest', () => {
    for (const [id, q] of ofType(template, 'AWS::SQS::Queue')) {
      expect({ id, sse: props(q).SqsManagedSseEnabled }).toEqual({ id, sse: true });
    }
  });
});

describe('data', () => {
  it('the table is on-demand, keyed pk/sk, and expires items on expiresAt', () => {
    expect(props(resource(template, 'TasksTable'))).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('the templates bucket is encrypted, private, TLS-only and kept on stack removal', () => {
    const bucket = resource(template, 'TemplatesBucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(props(bucket)).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const policy = props(resource(template, 'TemplatesBucketPolicy')).PolicyDocument as {
      Statement: unknown[];
    };
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('results are encrypted with a rotating KMS key of the stack', () => {
    expect(props(resource(template, 'ResultsKey')).EnableKeyRotation).toBe(true);
    expect(props(resource(template, 'ResultsKeyAlias'))).toMatchObject({
      AliasName: 'alias/iot-provisioning-test-results',
      TargetKeyId: { Ref: 'ResultsKey' },
    });
  });
});

describe('events', () => {
  it('go to an encrypted SNS topic; the results queue gets every one, raw, and only from the topic', () => {
    expect(props(resource(template, 'EventsTopic')).KmsMasterKeyId).toBe('alias/aws/sns');
    expect(props(resource(template, 'ResultsSubscription'))).toEqual({
      TopicArn: { Ref: 'EventsTopic' },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['ResultsQueue', 'Arn'] },
      RawMessageDelivery: true,
    });
    const policy = props(resource(template, 'ResultsQueuePolicy'));
    expect(policy.Queues).toEqual([{ Ref: 'ResultsQueue' }]);
    expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'EventsTopic' } } },
      }),
    ]);
    expect(template.Outputs?.EventsTopicArn?.Value).toEqual({ Ref: 'EventsTopic' });
  });
});

describe('monitoring', () => {
  const alarms = () =>
    Object.fromEntries(ofType(template, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, props(a)] as const));
  const watched = (alarm: Record<string, unknown>) => {
    const stats = [
      ...(alarm.MetricName !== undefined ? [alarm] : []),
      ...((alarm.Metrics ?? []) as { MetricStat?: { Metric: Record<string, unknown> } }[]).flatMap((m) =>
        m.MetricStat !== undefined ? [m.MetricStat.Metric] : [],
      ),
    ];
    return stats.map((m) => [
      m.Namespace,
      m.MetricName,
      referencedId((m.Dimensions as { Value: unknown }[])[0]?.Value) ??
        (m.Dimensions as { Value: unknown }[])[0]?.Value,
    ]);
  };

  it('alarms when a DLQ is not empty, when devices fail, and when messages wait too long', () => {
    const all = alarms();
    expect(Object.keys(all).sort()).toEqual([
      'BulkDlqNotEmptyAlarm',
      'BulkOldestMessageAlarm',
      'CertificatesExpiringAlarm',
      'FailureRateAlarm',
      'RequestsDlqNotEmptyAlarm',
      'RequestsOldestMessageAlarm',
    ]);
    const alarm = (id: string): Record<string, unknown> => all[id] ?? {};
    const requestsDlq = alarm('RequestsDlqNotEmptyAlarm');
    const bulkDlq = alarm('BulkDlqNotEmptyAlarm');
    const failures = alarm('FailureRateAlarm');
    const requestsAge = alarm('RequestsOldestMessageAlarm');
    const bulkAge = alarm('BulkOldestMessageAlarm');
    // Visible and in flight: the DLQ handler holds set-aside messages out of sight.
    expect(watched(requestsDlq)).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'RequestsDeadLetterQueue'],
      ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'RequestsDeadLetterQueue'],
    ]);
    expect(watched(bulkDlq).map((w) => w[2])).toEqual(['BulkDeadLetterQueue', 'BulkDeadLetterQueue']);
    expect(watched(failures)).toEqual([
      ['IotProvisioning', 'DevicesProvisioned', 'iot-provisioning-test'],
      ['IotProvisioning', 'DevicesFailed', 'iot-provisioning-test'],
    ]);
    expect(failures.Threshold).toBe(10);
    expect(watched(requestsAge)).toEqual([['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'RequestsQueue']]);
    expect(watched(bulkAge)).toEqual([['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'BulkQueue']]);
    const expiring = alarm('CertificatesExpiringAlarm');
    expect(watched(expiring)).toEqual([['IotProvisioning', 'CertificatesExpiring', 'iot-provisioning-test']]);
    expect([expiring.Threshold, expiring.TreatMissingData]).toEqual([0, 'breaching']);
  });

  it('the lifecycle tick runs on an EventBridge schedule, one at a time', () => {
    const [, fn] =
      ofType(template, 'AWS::Lambda::Function').find(([id]) => id === 'LifecycleTickLambdaFunction') ?? [];
    expect(fn === undefined ? undefined : props(fn).ReservedConcurrentExecutions).toBe(1);
    const rules = ofType(template, 'AWS::Events::Rule').map(([, r]) => props(r));
    expect(rules.map((r) => [r.ScheduleExpression, r.State])).toEqual([['rate(5 minutes)', 'ENABLED']]);
    const targets = rules[0]?.Targets as { Arn: unknown }[];
    expect(targets.map((t) => referencedId(t.Arn))).toEqual(['LifecycleTickLambdaFunction']);
  });

  it("each alarm's description is its runbook line in the README", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [id, alarm] of Object.entries(alarms())) {
      const [name = '', line = ''] = String(alarm.AlarmDescription).split(/: (.*)/s);
      expect({ id, name: String(alarm.AlarmName) }).toEqual({ id, name: `iot-provisioning-test-${name}` });
      expect({ id, runbook: readme.includes(`- \`${name}\`: ${line}\n`) }).toEqual({ id, runbook: true });
    }
  });

  it('notify the alarmTopicArn parameter when one is given', async () => {
    const notifying = await packagedTemplate({ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' });
    for (const [, alarm] of ofType(notifying, 'AWS::CloudWatch::Alarm')) {
      expect(props(alarm).AlarmActions).toEqual({
        'Fn::If': ['AlarmsNotify', ['arn:aws:sns:eu-west-1:123456789012:ops'], { Ref: 'AWS::NoValue' }],
      });
    }
  });

  it('the dashboard is valid JSON once CloudFormation substitutes the names', () => {
    const body = props(resource(template, 'Dashboard')).DashboardBody as { 'Fn::Sub': [string, object] };
    const text = body['Fn::Sub'][0].replace(/\$\{[^}]+\}/g, 'x');
    const dashboard = JSON.parse(text) as { widgets: { properties: { title: string } }[] };
    expect(dashboard.widgets.map((w) => w.properties.title)).toEqual([
      'Devices provisioned and failed',
      'Failed devices by code, template and mode',
      'Submit to finish (s)',
      'AWS IoT throttles and retries',
      'Oldest message (s)',
      'Messages on the dead-letter queues',
      'Bulk devices per second',
      'Wait on the queue before a worker took the message (s)',
    ]);
  });
});
