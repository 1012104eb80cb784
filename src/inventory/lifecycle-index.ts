import { createHash } from 'node:crypto';

/**
 * The table's `lifecycle` index (GSI): everything of the certificate lifecycle that is read by
 * date, never by scanning. Two kinds of items carry its keys:
 *
 * - a certificate in service (not retired, deleted or revoked), under `EXPIRY#<shard>`, sorted by
 *   `<notAfter>#<certificateId>`: what expires soonest first, and "expiring before a date" is a
 *   key condition;
 * - a scheduled retirement or deletion, under `DUE#<shard>`, sorted by `<dueAt>#<certificateId>`:
 *   what is due is a key condition.
 *
 * An item leaves the index by losing its keys (a sparse index), so the index holds only what a
 * reader still wants. Every certificate of a bulk task has the same not-after to the second, so
 * one partition per kind would take all of a bulk task's writes: the partition is one of
 * `SHARDS`, chosen by the certificate id's hash, and a reader queries every shard and merges
 * them in order (shard-merge.ts). The number of shards is part of the stored data: changing it
 * needs the items rewritten.
 */
export const LIFECYCLE_INDEX = 'lifecycle';
export const SHARDS = 8;

export type LifecycleKind = 'EXPIRY' | 'DUE';

export interface LifecycleKeys {
  lifecyclePk: string;
  lifecycleSk: string;
}

export function shardOf(certificateId: string): number {
  return createHash('sha256').update(certificateId).digest().readUInt32BE(0) % SHARDS;
}

export const partitionOf = (kind: LifecycleKind, shard: number) => `${kind}#${shard}`;
export const allPartitions = (kind: LifecycleKind) =>
  Array.from({ length: SHARDS }, (_, shard) => partitionOf(kind, shard));

/** `at` is an ISO date-time; ISO strings of one format sort as their times do. */
export function lifecycleKeys(kind: LifecycleKind, at: string, certificateId: string): LifecycleKeys {
  return { lifecyclePk: partitionOf(kind, shardOf(certificateId)), lifecycleSk: `${at}#${certificateId}` };
}

/** The table item of a certificate, and of its scheduled retirement, share its partition. */
export const certificatePartition = (certificateId: string) => `CERT#${certificateId}`;
export const CERTIFICATE_ITEM = 'CERT';
export const RETIREMENT_ITEM = 'RETIREMENT';
