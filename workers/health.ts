import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadinessReport } from '../src/health/readiness.js';

/**
 * The container's health endpoint: `GET /health` answers 200 while the worker consumes and 503
 * while it starts or drains, so an orchestrator routes no new work to, and does not count as
 * healthy, a worker that is on its way out. It reports the worker's state; it calls nothing.
 * Once the worker's services exist (`attach`), `GET /health/ready` checks its dependencies (the
 * table, its four queues, the bucket, the KMS key) and `GET /metrics` serves its Prometheus text.
 */
export type WorkerState = 'starting' | 'consuming' | 'draining';

export interface Operations {
  readiness: () => Promise<ReadinessReport>;
  prometheus: { readonly contentType: string; text(): Promise<string> };
}

export interface HealthServer {
  port: number;
  setState(state: WorkerState): void;
  attach(operations: Operations): void;
  close(): Promise<void>;
}

const PATHS = new Set(['/health', '/health/ready', '/metrics']);

export async function startHealthServer(port: number, host = '0.0.0.0'): Promise<HealthServer> {
  let state: WorkerState = 'starting';
  let operations: Operations | undefined;
  const answer = (res: ServerResponse, status: number, type: string, body: string, head: boolean) =>
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(head ? undefined : body);

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!PATHS.has(path)) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"code":"ROUTE_NOT_FOUND"}');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const head = req.method === 'HEAD';
    if (path === '/health') {
      answer(
        res,
        state === 'consuming' ? 200 : 503,
        'application/json',
        JSON.stringify({ status: state }),
        head,
      );
      return;
    }
    if (operations === undefined) {
      answer(res, 503, 'application/json', JSON.stringify({ status: state }), head);
      return;
    }
    const { readiness, prometheus } = operations;
    const reply =
      path === '/metrics'
        ? prometheus.text().then((text) => answer(res, 200, prometheus.contentType, text, head))
        : readiness().then((report) =>
            answer(
              res,
              report.status === 'ready' ? 200 : 503,
              'application/json',
              JSON.stringify(report),
              head,
            ),
          );
    reply.catch(() => res.writeHead(500).end());
  });
  // Probes open a connection per check; never let one hold the process open while it exits.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    setState: (next) => {
      state = next;
    },
    attach: (next) => {
      operations = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
