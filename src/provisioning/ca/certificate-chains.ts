import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { TtlCache } from './ttl-cache.js';

/** Chains change only when a CA does, so an hour in memory costs nothing and saves every read. */
const KEEP_MS = 3_600_000;

/**
 * CA chains of device certificates (public data), stored once each in the service's table under
 * the SHA-256 of their PEM, which a task records in place of the chain: a thousand devices of one
 * CA cost one item of ~1–2 KB instead of a thousand copies rewritten with every write of their
 * tasks. The id is the content's hash, so an item never changes and is never removed with a task
 * (items carry no `expiresAt`): a result can name it for as long as the result lives, and there are
 * only as many as there have been CA certificates. Both halves cache: the worker writes a chain
 * once an hour per process, the API reads it once an hour per process, however many devices share it.
 */
export class CertificateChains {
  private readonly stored = new TtlCache<string, string>(KEEP_MS);
  private readonly read = new TtlCache<string, string | undefined>(
    KEEP_MS,
    Date.now,
    (pem) => pem !== undefined,
  );

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores the chain (idempotent: the same chain is the same item) and answers its id. */
  store(chainPem: string): Promise<string> {
    const chainId = createHash('sha256').update(chainPem).digest('hex');
    return this.stored.get(chainId, async () => {
      await this.dynamo.send(
        new PutCommand({ TableName: this.tableName, Item: { ...chainKey(chainId), chainPem } }),
      );
      return chainId;
    });
  }

  /** The chain stored under `chainId`; undefined when there is none (nothing invents one). */
  pem(chainId: string): Promise<string | undefined> {
    return this.read.get(chainId, async () => {
      const out = await this.dynamo.send(
        new GetCommand({
          TableName: this.tableName,
          Key: chainKey(chainId),
          ProjectionExpression: 'chainPem',
        }),
      );
      const pem: unknown = out.Item?.chainPem;
      return typeof pem === 'string' ? pem : undefined;
    });
  }
}

const chainKey = (chainId: string) => ({ pk: `CHAIN#${chainId}`, sk: 'CHAIN' });
