import { createHash } from 'node:crypto';

/**
 * A bulk task's id from an Idempotency-Key: the same key is always the same task, so a retried
 * submission can never start a second one. UUID-shaped (version 8, RFC 9562's custom variant),
 * like every bulk task id, and apart from single-device task ids made from the same key.
 */
export function bulkTaskIdForIdempotencyKey(key: string): string {
  const hex = createHash('sha256').update(`bulk\n${key}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
