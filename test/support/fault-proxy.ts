import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the emulator that answers every Nth request to one AWS service with
 * that service's throttling error, as AWS does when an account exceeds its TPS quota. Every Nth,
 * not a random share, so a test's count of injected faults is the same on every run. The service
 * is read from the SigV4 credential scope, so the proxy needs no knowledge of the API.
 */
export interface FaultProxy {
  url: string;
  /** From now on throttle every `every`th request to the service (0: none). */
  throttleEvery(every: number): void;
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
  const scope = `/${options.service}/aws4_request`;
  const server: Server = createServer((req, res) => {
    const ofService = (req.headers.authorization ?? '').includes(scope);
    if (ofService) seen += 1;
    const throttle = ofService && every > 0 && seen % every === 0;
    if (throttle) {
      injected += 1;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
      res.end(JSON.stringify({ message: 'Rate exceeded' }));
      return;
    }
    forwarded += 1;
    const out = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    throttleEvery: (n) => {
      every = n;
      seen = 0;
    },
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
