import { createHash } from 'node:crypto';
import type { Task, TaskError } from './model.js';
import type { ProvisionRequest } from './request.js';

/** A fresh PENDING task (or an already FAILED one, for a message that was invalid on arrival). */
export function newTask(
  taskId: string,
  request: ProvisionRequest,
  options: {
    source: Task['source'];
    client?: string | undefined;
    ttlSeconds: number;
    templateVersion?: string | undefined;
    error?: TaskError;
    now?: number;
  },
): Task {
  const now = options.now ?? Date.now();
  const at = new Date(now).toISOString();
  return {
    taskId,
    status: options.error ? 'FAILED' : 'PENDING',
    request,
    requestHash: requestHash(request),
    source: options.source,
    ...(options.client !== undefined ? { client: options.client } : {}),
    ...(options.templateVersion !== undefined ? { templateVersion: options.templateVersion } : {}),
    createdAt: at,
    updatedAt: at,
    attempts: 0,
    checkpoint: { policies: {} },
    ...(options.error ? { error: options.error } : {}),
    expiresAt: Math.floor(now / 1000) + options.ttlSeconds,
  };
}

/** Stable across key order, so a client that re-serialises its retry still matches. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An Idempotency-Key maps to one task id, so the same key can never start a second task. */
export function taskIdForIdempotencyKey(key: string): string {
  return `idem-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}
