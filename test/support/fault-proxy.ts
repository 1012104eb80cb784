import {
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { iotOperationOf } from './iot-operations.js';

/**
 * An HTTP proxy in front of the emulator that injects the faults AWS and networks produce:
 *  - `throttleEvery`: answers every Nth request to one AWS service with that service's throttling
 *    error, as AWS does when an account exceeds its TPS quota (every Nth, not a random share, so a
 *    test's count of injected faults is the same on every run; the service is read from the SigV4
 *    credential scope);
 *  - `failNext`: lets the next requests of an IoT operation (matched by method and path, from the
 *    SDK's own bindings) reach the emulator, which acts on them, and then loses the answer: it
 *    `stall`s (never answers, so the client's request timeout fires) or `reset`s (destroys the
 *    connection), the two ways a create's outcome becomes unknown to the caller;
 *  - `onAnswered`: runs a callback when the emulator has answered an operation, before the answer
 *    is passed on (a test kills a worker there).
 */
export type LostAnswer = 'stall' | 'reset';

export interface FaultProxy {
  url: string;
  /** From now on throttle every `every`th request to the service (0: none). */
  throttleEvery(every: number): void;
  /** The next `count` requests of `operation` are processed by the emulator and their answers lost. */
  failNext(operation: string, fault: LostAnswer, count?: number): void;
  onAnswered(operation: string, callback: () => void): void;
  /** Answers lost so far, by operation. */
  lost(): Record<string, number>;
  injected(): number;
  forwarded(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, options: { service: string }): Promise<FaultProxy> {
  const upstream = new URL(target);
  let injected = 0;
  let forwarded = 0;
  let every = 0;
  let seen = 0;
  const faults = new Map<string, LostAnswer[]>();
  const watchers = new Map<string, () => void>();
  const lost: Record<string, number> = {};
  const scope = `/${options.service}/aws4_request`;
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const ofService = auth.includes(scope);
    if (ofService) seen += 1;
    if (ofService && every > 0 && seen % every === 0) {
      injected += 1;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
      res.end(JSON.stringify({ message: 'Rate exceeded' }));
      return;
    }
    forwarded += 1;
    const operation = auth.includes('/iot/aws4_request')
      ? iotOperationOf(req.method ?? 'GET', req.url ?? '/')
      : undefined;
    const fault = operation === undefined ? undefined : faults.get(operation)?.shift();
    const watcher = operation === undefined ? undefined : watchers.get(operation);
    if (operation !== undefined && fault !== undefined) lost[operation] = (lost[operation] ?? 0) + 1;
    pass(upstream, req, res, (answer, body) => {
      watcher?.();
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      // A stall: the emulator has acted; its answer never comes. The client gives up and closes.
      if (fault === 'stall') return;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    throttleEvery: (n) => {
      every = n;
      seen = 0;
    },
    failNext: (operation, fault, count = 1) => {
      faults.set(operation, [
        ...(faults.get(operation) ?? []),
        ...Array.from({ length: count }, () => fault),
      ]);
    },
    onAnswered: (operation, callback) => {
      watchers.set(operation, callback);
    },
    lost: () => ({ ...lost }),
    injected: () => injected,
    forwarded: () => forwarded,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Forwards the request, and hands the whole answer to `answered`. */
function pass(
  upstream: URL,
  req: IncomingMessage,
  res: ServerResponse,
  answered: (answer: IncomingMessage, body: Buffer) => void,
): void {
  const out = forward(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => {
        answered(answer, Buffer.concat(parts));
      });
    },
  );
  out.on('error', () => res.destroy());
  req.pipe(out);
}
