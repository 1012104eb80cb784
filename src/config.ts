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
  EVENTS_TOPIC_NAME: Type.String({ default: 'provisioning-events', pattern: '^[A-Za-z0-9_-]{1,256}$' }),
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
  CA_KEY_PARAMETER_PATTERN: Type.String({ default: 'cdf-ca-key-{caId}', pattern: '\\{caId\\}' }),
  DEVICE_CERTIFICATE_DAYS: Type.Integer({ default: 365, minimum: 1, maximum: 36_500 }),
  CA_CACHE_SECONDS: Type.Integer({ default: 300, minimum: 0 }),
  PCA_WAIT_SECONDS: Type.Integer({ default: 10, minimum: 0, maximum: 600 }),
  CERT_EXPIRY_WARNING_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 3650 }),
  RETIRED_CERTIFICATE_DELETE_DAYS: Type.Optional(Type.Number({ minimum: 0, maximum: 3650 })),
  LIFECYCLE_TICK_SECONDS: Type.Number({ default: 60, minimum: 0.1, maximum: 3600 }),
  AWS_REQUEST_TIMEOUT_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 300 }),
  CERTIFICATE_SETTLE_SECONDS: Type.Integer({ default: 120, minimum: 1, maximum: 3600 }),
});
type Env = Static<typeof Env>;

export interface Config {
  region: string;
  /** Emulator (moto) or other endpoint override; absent means real AWS. */
  endpoint: string | undefined;
  tableName: string;
  queues: { requests: string; requestsDlq: string; results: string; bulk: string; bulkDlq: string };
  /** The SNS topic completion and refusal events are published to. */
  eventsTopicName: string;
  /** Bulk tasks: lines per chunk message, chunk messages per task at once, devices at once per chunk. */
  bulk: { chunkSize: number; chunksInFlight: number; lineConcurrency: number };
  templates: { bucket: string; prefix: string; suffix: string; cacheSeconds: number };
  /** Exactly one of the two: results are encrypted with a KMS data key or a local master key. */
  encryption: { kind: 'kms'; keyId: string } | { kind: 'local'; masterKey: Buffer };
  resultTtlSeconds: number;
  port: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  iotTps: number;
  /** How long an AWS request may take once sent before it fails. */
  requestTimeoutSeconds: number;
  /**
   * `settleSeconds`: how long after an ambiguous certificate create (timeout, reset) the worker
   * waits before it removes the window's unowned certificates (see provisioning/orphans).
   */
  worker: { batchSize: number; leaseSeconds: number; settleSeconds: number };
  maxWaitSeconds: number;
  /** CDF's flags for `DELETE /things/{name}`: also delete unshared certificates / policies. */
  features: { deleteCertificates: boolean; deletePolicies: boolean };
  certificates: CertificateConfig;
  lifecycle: LifecycleConfig;
}

/** The certificate inventory, expiry and retirement (README: Certificate lifecycle). */
export interface LifecycleConfig {
  /** Certificates whose not-after is closer than this are counted as expiring (metric, alarm). */
  expiryWarningDays: number;
  /** Days between retiring a certificate and deleting it; undefined: never deleted. */
  retiredDeleteDays: number | undefined;
  /** Period of the long-running worker's lifecycle timer (Lambda: the EventBridge rule's rate). */
  tickSeconds: number;
}

/** The certificate modes: own CA (createDeviceCertificate) and ACM PCA. */
export interface CertificateConfig {
  /** SSM parameter name of a CA's private key; `{caId}` is replaced (CDF: `cdf-ca-key-{caId}`). */
  caKeyParameterPattern: string;
  /** Device certificate lifetime when `certInfo.daysExpiry` is absent. */
  deviceCertificateDays: number;
  /** How long CA certificates, CA keys and ACM PCA descriptions are kept in memory. */
  caCacheSeconds: number;
  /** Longest wait for ACM PCA to issue a certificate before the message is retried later. */
  pcaWaitSeconds: number;
  /** `PCA_<ALIAS>`: ACM PCA CA ARNs by upper-case alias. */
  pcaAliases: Record<string, string>;
  /** `CA_<ALIAS>`: AWS IoT CA certificate ARNs by upper-case alias. */
  iotCaAliases: Record<string, string>;
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
  const aliases = aliasesFrom(env, new Set(names));
  if (notNumbers.length > 0 || errors.length > 0 || aliases.problems.length > 0) {
    const lines = [
      ...notNumbers,
      ...aliases.problems,
      ...errors.map((e) => `${e.instancePath.slice(1) || '(environment)'}: ${e.message}`),
    ];
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  return fromEnv(value as Env, aliases);
}

const PCA_ARN = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{1,64}$/;
const IOT_CA_ARN = /^arn:aws[a-z-]*:iot:[a-z0-9-]+:\d{12}:cacert\/[0-9a-f]{64}$/;

/**
 * CDF's alias variables: `PCA_<ALIAS>` names an ACM PCA CA, `CA_<ALIAS>` an AWS IoT CA, each by ARN.
 * A `CA_` variable whose value is not an ARN at all (`CA_BUNDLE=/etc/ssl/...`) is somebody else's
 * and ignored; one that tries to be an ARN and is not stops the process, like any bad setting.
 */
function aliasesFrom(
  env: NodeJS.ProcessEnv,
  known: ReadonlySet<string>,
): { pca: Record<string, string>; iotCa: Record<string, string>; problems: string[] } {
  const pca: Record<string, string> = {};
  const iotCa: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '' || known.has(name)) continue;
    const alias = /^(PCA|CA)_([A-Za-z0-9_]+)$/.exec(name);
    if (alias === null) continue;
    const [, prefix, suffix = ''] = alias;
    const key = suffix.toUpperCase();
    if (prefix === 'PCA') {
      if (PCA_ARN.test(value)) pca[key] = value;
      else problems.push(`${name}: must be an ACM PCA certificate authority ARN (arn:aws:acm-pca:...)`);
    } else if (IOT_CA_ARN.test(value)) {
      iotCa[key] = value;
    } else if (value.startsWith('arn:')) {
      problems.push(
        `${name}: must be an AWS IoT CA certificate ARN (arn:aws:iot:<region>:<account>:cacert/<id>)`,
      );
    }
  }
  return { pca, iotCa, problems };
}

function fromEnv(env: Env, aliases: { pca: Record<string, string>; iotCa: Record<string, string> }): Config {
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
    eventsTopicName: env.EVENTS_TOPIC_NAME,
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
    requestTimeoutSeconds: env.AWS_REQUEST_TIMEOUT_SECONDS,
    worker: {
      batchSize: env.WORKER_BATCH_SIZE,
      leaseSeconds: env.TASK_LEASE_SECONDS,
      settleSeconds: env.CERTIFICATE_SETTLE_SECONDS,
    },
    maxWaitSeconds: env.MAX_WAIT_SECONDS,
    features: {
      deleteCertificates: env.FEATURES_DELETE_CERTIFICATES,
      deletePolicies: env.FEATURES_DELETE_POLICIES,
    },
    certificates: {
      caKeyParameterPattern: env.CA_KEY_PARAMETER_PATTERN,
      deviceCertificateDays: env.DEVICE_CERTIFICATE_DAYS,
      caCacheSeconds: env.CA_CACHE_SECONDS,
      pcaWaitSeconds: env.PCA_WAIT_SECONDS,
      pcaAliases: aliases.pca,
      iotCaAliases: aliases.iotCa,
    },
    lifecycle: {
      expiryWarningDays: env.CERT_EXPIRY_WARNING_DAYS,
      retiredDeleteDays: env.RETIRED_CERTIFICATE_DELETE_DAYS,
      tickSeconds: env.LIFECYCLE_TICK_SECONDS,
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
