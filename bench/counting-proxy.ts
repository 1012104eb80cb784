import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { iotOperationOf } from '../test/support/iot-operations.js';
import { itemSize, writeUnits } from './item-size.js';

/**
 * An HTTP proxy in front of the emulator that counts every request by `service:Operation` while
 * counting is on, and the DynamoDB write units each write to the service's table costs (from the
 * item's size before and after it, read straight from the emulator). Requests are named from
 * what the SDK sends: the SigV4 scope for the service, `X-Amz-Target` for JSON protocols, the
 * IoT SDK's own HTTP bindings for IoT, the method and path for S3.
 */
export interface CountingProxy {
  url: string;
  counting: boolean;
  counts(): Map<string, number>;
  writeUnits(): number;
  reset(): void;
  /** Resolves when the next request named `operation` has been answered. */
  next(operation: string): Promise<void>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type Key = Record<string, AttributeValue>;

export async function startCountingProxy(
  target: string,
  options: { region: string },
): Promise<CountingProxy> {
  const upstream = new URL(target);
  const dynamo = new DynamoDBClient({
    region: options.region,
    endpoint: target,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  let counts = new Map<string, number>();
  let units = 0;
  const waiters: { operation: string; resolve: () => void }[] = [];
  const proxy: CountingProxy = {
    url: '',
    counting: false,
    counts: () => new Map(counts),
    writeUnits: () => units,
    reset: () => {
      counts = new Map();
      units = 0;
    },
    next: (operation) => new Promise((resolve) => waiters.push({ operation, resolve })),
    close: () =>
      new Promise((resolve) => {
        dynamo.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };

  const sizeOf = async (table: string, key: Key) =>
    itemSize(
      (await dynamo.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item,
    );

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const operation = operationOf(req, body.toString('utf8'));
        const counted = proxy.counting;
        const writes = counted ? dynamoWrites(operation, body) : [];
        const before = await Promise.all(writes.map((w) => sizeOf(w.table, w.key)));
        const answer = await send(upstream, req, body);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        if (counted) {
          counts.set(operation, (counts.get(operation) ?? 0) + 1);
          const after = await Promise.all(writes.map((w) => sizeOf(w.table, w.key)));
          writes.forEach((_, i) => (units += writeUnits(before[i] ?? 0, after[i] ?? 0)));
        }
        for (const w of waiters.filter((x) => x.operation === operation)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

function send(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) });
        });
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function operationOf(req: IncomingMessage, body: string): string {
  const auth = req.headers.authorization ?? '';
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? '?';
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return `${service}:${target.split('.').pop() ?? target}`;
  if (service === 'iot')
    return `iot:${iotOperationOf(method, url) ?? `${method} ${url.split('?')[0] ?? ''}`}`;
  if (service === 'sqs' || service === 'sts')
    return `${service}:${/Action=([A-Za-z]+)/.exec(body)?.[1] ?? method}`;
  if (service === 's3') {
    const [path = '', query = ''] = url.split('?');
    const hasKey = path.split('/').filter(Boolean).length > 1;
    const names: Record<string, string> = hasKey
      ? { GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' }
      : { GET: query.includes('list-type') ? 'ListObjectsV2' : 'GetBucket', PUT: 'PutBucket' };
    return `s3:${names[method] ?? method}`;
  }
  return `${service}:${method} ${url.split('?')[0] ?? ''}`;
}

/** The items a DynamoDB write touches: the service's table keys its items by `pk` and `sk`. */
function dynamoWrites(operation: string, raw: Buffer): { table: string; key: Key }[] {
  if (!operation.startsWith('dynamodb:')) return [];
  const body = JSON.parse(raw.toString('utf8')) as Json;
  const keyOf = (item: Key): Key => ({ pk: item.pk ?? { S: '' }, sk: item.sk ?? { S: '' } });
  const table = typeof body.TableName === 'string' ? body.TableName : '';
  switch (operation) {
    case 'dynamodb:PutItem':
      return [{ table, key: keyOf(body.Item as Key) }];
    case 'dynamodb:UpdateItem':
    case 'dynamodb:DeleteItem':
      return [{ table, key: body.Key as Key }];
    case 'dynamodb:BatchWriteItem':
      return Object.entries(body.RequestItems as Record<string, Json[]>).flatMap(([name, requests]) =>
        requests.map((r) => {
          const put = r.PutRequest as { Item: Key } | undefined;
          const del = r.DeleteRequest as { Key: Key } | undefined;
          return { table: name, key: put !== undefined ? keyOf(put.Item) : (del?.Key ?? {}) };
        }),
      );
    case 'dynamodb:TransactWriteItems':
      return (body.TransactItems as Json[]).flatMap((t) => {
        const [kind, op] = Object.entries(t)[0] ?? [];
        const o = op as { TableName: string; Item?: Key; Key?: Key } | undefined;
        if (o === undefined || kind === 'ConditionCheck') return [];
        return [{ table: o.TableName, key: o.Item !== undefined ? keyOf(o.Item) : (o.Key ?? {}) }];
      });
    default:
      return [];
  }
}
