import winston from 'winston';

/**
 * JSON logs with a redaction format in front of the output: no private key, CA key, data key or
 * token can reach a log line, whoever wrote the call. Task work logs through `logger.child({taskId})`
 * so every line of it carries the task id.
 */
export type Logger = winston.Logger;

const SECRET_KEY =
  /(private.?key|secret|password|passphrase|token|plaintext|data.?key|authorization|ca.?key)/i;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
export const REDACTED = '[REDACTED]';

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PEM_PRIVATE_KEY, REDACTED);
  if (value === null || typeof value !== 'object') return value;
  // Past the depth limit nothing below is inspected, so nothing below may be written out either.
  if (depth > 8) return REDACTED;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return REDACTED;
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message), ...redactObject(value, depth) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return redactObject(value, depth);
}

function redactObject(value: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

const redaction = winston.format((info) => {
  // winston keeps level/message on the same object it later serialises: rewrite it in place.
  for (const key of Object.keys(info)) {
    info[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

export function createLogger(options: { level: string; stream?: NodeJS.WritableStream }): Logger {
  const transport =
    options.stream === undefined
      ? new winston.transports.Console()
      : new winston.transports.Stream({ stream: options.stream });
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), redaction(), winston.format.json()),
    // winston's typings re-export the transport base class, which this rule cannot match.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [transport],
  });
}
