import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

/** The local HTTP server around the same app the Lambda entry serves. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(app: Hono, port: number, hostname = '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((e) => {
              if (e) fail(e);
              else done();
            });
            // Keep-alive connections would otherwise hold close() open.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
