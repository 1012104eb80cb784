import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerClientError } from './client-error.js';
import { discardUnreadBody } from './unread-body.js';

/** The local HTTP server around the same app the Lambda entry serves. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(app: Hono, port: number, hostname = '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // The adapter's own clean-up of an unread body gives the client 500 ms before it closes the
    // connection under it; discardUnreadBody lets a 10 MB upload finish and read its 413.
    const server: ServerType = serve(
      { fetch: app.fetch, port, hostname, autoCleanupIncoming: false },
      (info) => {
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
      },
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      discardUnreadBody(req, res);
    });
    server.on('clientError', answerClientError);
    server.once('error', reject);
  });
}
