import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The container's health endpoint: `GET /health` answers 200 while the worker consumes and 503
 * while it starts or drains, so an orchestrator routes no new work to, and does not count as
 * healthy, a worker that is on its way out. It reports the worker's state; it calls nothing.
 */
export type WorkerState = 'starting' | 'consuming' | 'draining';

export interface HealthServer {
  port: number;
  setState(state: WorkerState): void;
  close(): Promise<void>;
}

export async function startHealthServer(port: number, host = '0.0.0.0'): Promise<HealthServer> {
  let state: WorkerState = 'starting';
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/health') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"code":"ROUTE_NOT_FOUND"}');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const status = state === 'consuming' ? 200 : 503;
    res
      .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
      .end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: state }));
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
