import { Hono } from 'hono';
import type { ReadinessReport } from '../../src/health/readiness.js';

/** What serves Prometheus text: the local server and the container have one, Lambda does not. */
export interface PrometheusText {
  readonly contentType: string;
  text(): Promise<string>;
}

/**
 * `GET /health`: liveness, 200 without calling anything. `GET /health/ready`: readiness, 200 when
 * every dependency answers, else 503 naming the ones that are down. `GET /metrics`: Prometheus
 * text, where this runtime keeps its metrics in memory (Lambda writes them to CloudWatch instead).
 */
export function healthRoutes(readiness: () => Promise<ReadinessReport>, prometheus?: PrometheusText): Hono {
  const app = new Hono();
  const noStore = { 'Cache-Control': 'no-store' };
  app.get('/health', (c) => c.json({ status: 'ok' }, 200, noStore));
  app.get('/health/ready', async (c) => {
    const report = await readiness();
    return c.json(report, report.status === 'ready' ? 200 : 503, noStore);
  });
  if (prometheus !== undefined) {
    app.get('/metrics', async (c) =>
      c.body(await prometheus.text(), 200, { 'Content-Type': prometheus.contentType, ...noStore }),
    );
  }
  return app;
}
