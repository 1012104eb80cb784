import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

/**
 * The one configuration object, built once from the environment at start-up. Every variable is
 * listed in the README's configuration table; a bad value stops the process with the variable's
 * name instead of failing later, deep inside a request.
 */
const Env = Type.Object({
  AWS_REGION: Type.String({ default: 'us-east-1', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' }),
  AWS_ENDPOINT_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  TABLE_NAME: Type.String({ default: 'provisioning', minLength: 3 }),
  REQUESTS_QUEUE_NAME: Type.String({ default: 'provisioning-requests', minLength: 1 }),
  REQUESTS_DLQ_NAME: Type.String({ default: 'provisioning-requests-dlq', minLength: 1 }),
  RESULTS_QUEUE_NAME: Type.String({ default: 'provisioning-results', minLength: 1 }),
  BULK_QUEUE_NAME: Type.String({ default: 'provisioning-bulk', minLength: 1 }),
  BULK_DLQ_NAME: Type.String({ default: 'provisioning-bulk-dlq', minLength: 1 }),
  BULK_CHUNK_SIZE: Type.Integer({ default: 50, minimum: 1, maximum: 1000 }),
  BULK_CHUNKS_IN_FLIGHT: Type.Integer({ default: 4, minimum: 1, maximum: 100 }),
  BULK_LINE_CONCURRENCY: Type.Integer({ default: 8, minimum: 1, maximum: 100 }),
  TEMPLATES_BUCKET: Type.String({ default: 'provisioning-templates', minLength: 3 }),
  TEMPLATES_PREFIX: Type.String({ default: 'templates/' }),
  TEMPLATES_SUFFIX: Type.String({ default: '.json' }),
  TEMPLATE_CACHE_SECONDS: Type.Integer({ default: 30, minimum: 0 }),
  RESULTS_KMS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  RESULTS_MASTER_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
  RESULT_TTL_HOURS: Type.Number({ default: 24, exclusiveMinimum: 0 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['error', 'warn', 'info', 'debug'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  IOT_TPS: Type.Number({ default: 10, exclusiveMinimum: 0 }),
  WORKER_BATCH_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 10 }),
  TASK_LEASE_SECONDS: Type.Integer({ default: 60, minimum: 5, maximum: 43200 }),
  MAX_WAIT_SECONDS: Type.Integer({ default: 25, minimum: 0, maximum: 29 }),
  FEATURES_DELETE_CERTIFICATES: Type.Boolean({ default: false }),
  FEATURES_DELETE_POLICIES: Type.Boolean({ default: false }),
});
type Env = Static<typeof Env>;

export interface Config {
  region: string;
  /** Emulator (moto) or other endpoint override; absent means real AWS. */
  endpoint: string | undefined;
  tableName: string;
  queues: { requests: string; requestsDlq: string; results: string; bulk: string; bulkDlq: string };
  /** Bulk tasks: lines per chunk message, chunk messages per task at once, devices at once per chunk. */
  bulk: { chunkSize: number; chunksInFlight: number; lineConcurrency: number };
  templates: { bucket: string; prefix: string; suffix: string; cacheSeconds: number };
  /** Exactly one of the two: results are encrypted with a KMS data key or a local master key. */
  encryption: { kind: 'kms'; keyId: string } | { kind: 'local'; masterKey: Buffer };
  resultTtlSeconds: number;
  port: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  iotTps: number;
  worker: { batchSize: number; leaseSeconds: number };
  maxWaitSeconds: number;
  /** CDF's flags for `DELETE /things/{name}`: also delete unshared certificates / policies. */
  features: { deleteCertificates: boolean; deletePolicies: boolean };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const names = Object.keys(Env.properties);
  // Empty strings count as unset, so `FOO=` in a shell falls back to the default.
  const raw = Object.fromEntries(names.flatMap((n) => (env[n] ? [[n, env[n]]] : [])));
  // Conversion would round `80.5` or read `0x50`: numbers must be written as plain decimals.
  const notNumbers = Object.entries(raw).flatMap(([name, text]) => {
    const type = (Env.properties as Record<string, { type?: string }>)[name]?.type;
    if (type === 'integer' && !/^-?\d+$/.test(text)) return [`${name}: must be a whole number`];
    if (type === 'number' && !/^-?\d+(\.\d+)?$/.test(text)) return [`${name}: must be a decimal number`];
    return [];
  });
  const value = Value.Default(Env, Value.Convert(Env, raw));
  const errors = [...Value.Errors(Env, value)];
  if (notNumbers.length > 0 || errors.length > 0) {
    const lines = [
      ...notNumbers,
      ...errors.map((e) => `${e.instancePath.slice(1) || '(environment)'}: ${e.message}`),
    ];
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  return fromEnv(value as Env);
}

function fromEnv(env: Env): Config {
  return {
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    tableName: env.TABLE_NAME,
    queues: {
      requests: env.REQUESTS_QUEUE_NAME,
      requestsDlq: env.REQUESTS_DLQ_NAME,
      results: env.RESULTS_QUEUE_NAME,
      bulk: env.BULK_QUEUE_NAME,
      bulkDlq: env.BULK_DLQ_NAME,
    },
    bulk: {
      chunkSize: env.BULK_CHUNK_SIZE,
      chunksInFlight: env.BULK_CHUNKS_IN_FLIGHT,
      lineConcurrency: env.BULK_LINE_CONCURRENCY,
    },
    templates: {
      bucket: env.TEMPLATES_BUCKET,
      prefix: env.TEMPLATES_PREFIX,
      suffix: env.TEMPLATES_SUFFIX,
      cacheSeconds: env.TEMPLATE_CACHE_SECONDS,
    },
    encryption: encryptionFrom(env),
    resultTtlSeconds: Math.round(env.RESULT_TTL_HOURS * 3600),
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    iotTps: env.IOT_TPS,
    worker: { batchSize: env.WORKER_BATCH_SIZE, leaseSeconds: env.TASK_LEASE_SECONDS },
    maxWaitSeconds: env.MAX_WAIT_SECONDS,
    features: {
      deleteCertificates: env.FEATURES_DELETE_CERTIFICATES,
      deletePolicies: env.FEATURES_DELETE_POLICIES,
    },
  };
}

function encryptionFrom(env: Env): Config['encryption'] {
  if (env.RESULTS_KMS_KEY_ID !== undefined && env.RESULTS_MASTER_KEY !== undefined) {
    throw new ConfigError('Invalid configuration: set RESULTS_KMS_KEY_ID or RESULTS_MASTER_KEY, not both');
  }
  if (env.RESULTS_KMS_KEY_ID !== undefined) return { kind: 'kms', keyId: env.RESULTS_KMS_KEY_ID };
  if (env.RESULTS_MASTER_KEY !== undefined) {
    return { kind: 'local', masterKey: Buffer.from(env.RESULTS_MASTER_KEY, 'base64') };
  }
  throw new ConfigError(
    'Invalid configuration: RESULTS_KMS_KEY_ID (a KMS key id, ARN or alias) or RESULTS_MASTER_KEY ' +
      '(32 random bytes, base64) is required to encrypt private keys at rest',
  );
}
