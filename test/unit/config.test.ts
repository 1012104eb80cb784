import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config.js';

const MASTER_KEY_BYTES = randomBytes(32);
const MASTER_KEY = MASTER_KEY_BYTES.toString('base64');
/** The least a valid environment needs: a way to encrypt keys at rest. */
const BASE = { RESULTS_MASTER_KEY: MASTER_KEY };

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('fills in every default', () => {
    expect(loadConfig(BASE)).toEqual({
      region: 'us-east-1',
      endpoint: undefined,
      tableName: 'provisioning',
      queues: {
        requests: 'provisioning-requests',
        requestsDlq: 'provisioning-requests-dlq',
        results: 'provisioning-results',
        bulk: 'provisioning-bulk',
        bulkDlq: 'provisioning-bulk-dlq',
      },
      eventsTopicName: 'provisioning-events',
      bulk: { chunkSize: 50, chunksInFlight: 4, lineConcurrency: 8 },
      templates: {
        bucket: 'provisioning-templates',
        prefix: 'templates/',
        suffix: '.json',
        cacheSeconds: 30,
      },
      encryption: { kind: 'local', masterKey: MASTER_KEY_BYTES },
      resultTtlSeconds: 24 * 3600,
      port: 3000,
      logLevel: 'info',
      iotTps: 10,
      lifecycle: { expiryWarningDays: 30, retiredDeleteDays: undefined, tickSeconds: 60 },
      requestTimeoutSeconds: 30,
      worker: { batchSize: 10, leaseSeconds: 60, settleSeconds: 120 },
      maxWaitSeconds: 25,
      features: { deleteCertificates: false, deletePolicies: false },
      certificates: {
        caKeyParameterPattern: 'cdf-ca-key-{caId}',
        deviceCertificateDays: 365,
        caCacheSeconds: 300,
        pcaWaitSeconds: 10,
        pcaAliases: {},
        iotCaAliases: {},
      },
    });
  });

  it('converts and maps every variable it is given', () => {
    const config = loadConfig({
      ...BASE,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://localhost:5000',
      TABLE_NAME: 'tasks-table',
      REQUESTS_QUEUE_NAME: 'req',
      REQUESTS_DLQ_NAME: 'req-dlq',
      RESULTS_QUEUE_NAME: 'res',
      TEMPLATES_BUCKET: 'my-templates',
      TEMPLATES_PREFIX: 'cdf/',
      TEMPLATES_SUFFIX: '.template.json',
      TEMPLATE_CACHE_SECONDS: '0',
      RESULT_TTL_HOURS: '0.5',
      PORT: '8080',
      LOG_LEVEL: 'debug',
      IOT_TPS: '2.5',
      WORKER_BATCH_SIZE: '3',
      TASK_LEASE_SECONDS: '120',
      MAX_WAIT_SECONDS: '0',
      AWS_REQUEST_TIMEOUT_SECONDS: '2',
      CERTIFICATE_SETTLE_SECONDS: '5',
    });
    expect(config).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://localhost:5000',
      tableName: 'tasks-table',
      queues: { requests: 'req', requestsDlq: 'req-dlq', results: 'res' },
      templates: { bucket: 'my-templates', prefix: 'cdf/', suffix: '.template.json', cacheSeconds: 0 },
      resultTtlSeconds: 1800,
      port: 8080,
      logLevel: 'debug',
      iotTps: 2.5,
      requestTimeoutSeconds: 2,
      worker: { batchSize: 3, leaseSeconds: 120, settleSeconds: 5 },
      maxWaitSeconds: 0,
    });
    expect(typeof config.port).toBe('number');
  });

  it('treats an empty string as unset', () => {
    const config = loadConfig({ ...BASE, PORT: '', AWS_REGION: '', LOG_LEVEL: '', RESULTS_KMS_KEY_ID: '' });
    expect(config.port).toBe(3000);
    expect(config.region).toBe('us-east-1');
    expect(config.logLevel).toBe('info');
    expect(config.encryption.kind).toBe('local');
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ ...BASE, UNRELATED: 'x', PATH: '/usr/bin' }).port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['AWS_REGION', 'Europe'],
    ['AWS_ENDPOINT_URL', 'localhost:5000'],
    ['TABLE_NAME', 'ab'],
    ['TEMPLATE_CACHE_SECONDS', '-1'],
    ['RESULT_TTL_HOURS', '0'],
    ['LOG_LEVEL', 'verbose'],
    ['IOT_TPS', '0'],
    ['WORKER_BATCH_SIZE', '11'],
    ['TASK_LEASE_SECONDS', '4'],
    ['MAX_WAIT_SECONDS', '30'],
    ['RESULTS_MASTER_KEY', 'c2hvcnQ='],
  ])('names %s in the error when it is %j', (name, value) => {
    const error = configError({ ...BASE, [name]: value });
    expect(error.message).toMatch(new RegExp(`^Invalid configuration:\\n {2}${name}: \\S`));
  });

  it('names every bad variable at once, each only once', () => {
    const error = configError({ ...BASE, PORT: 'x', LOG_LEVEL: 'loud', IOT_TPS: '-3' });
    const named = error.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(':')[0]);
    expect(new Set(named)).toEqual(new Set(['PORT', 'LOG_LEVEL', 'IOT_TPS']));
    expect(error.message.match(/LOG_LEVEL: must be equal to constant/g)).toHaveLength(1);
  });

  it('uses KMS when only RESULTS_KMS_KEY_ID is set', () => {
    expect(loadConfig({ RESULTS_KMS_KEY_ID: 'alias/provisioning' }).encryption).toEqual({
      kind: 'kms',
      keyId: 'alias/provisioning',
    });
  });

  it('uses the local master key, decoded to its 32 bytes, when only RESULTS_MASTER_KEY is set', () => {
    const { encryption } = loadConfig(BASE);
    expect(encryption.kind).toBe('local');
    if (encryption.kind !== 'local') throw new Error('unreachable');
    expect(encryption.masterKey).toHaveLength(32);
    expect(encryption.masterKey.equals(MASTER_KEY_BYTES)).toBe(true);
  });

  it('refuses both encryption settings at once', () => {
    const error = configError({ RESULTS_KMS_KEY_ID: 'alias/provisioning', RESULTS_MASTER_KEY: MASTER_KEY });
    expect(error.message).toMatch(/RESULTS_KMS_KEY_ID or RESULTS_MASTER_KEY, not both/);
  });

  it('refuses neither encryption setting, naming both', () => {
    for (const env of [{}, { RESULTS_KMS_KEY_ID: '', RESULTS_MASTER_KEY: '' }]) {
      const error = configError(env);
      expect(error.message).toContain('RESULTS_KMS_KEY_ID');
      expect(error.message).toContain('RESULTS_MASTER_KEY');
      expect(error.message).toMatch(/is required/);
    }
  });

  it('never echoes a master key in an error', () => {
    const wrongLength = randomBytes(31).toString('base64');
    expect(configError({ RESULTS_MASTER_KEY: wrongLength }).message).not.toContain(wrongLength);
    const both = configError({ RESULTS_MASTER_KEY: MASTER_KEY, RESULTS_KMS_KEY_ID: 'k' });
    expect(both.message).not.toContain(MASTER_KEY);
  });
});
