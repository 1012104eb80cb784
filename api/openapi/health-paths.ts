import { ReadinessReport } from '../../src/health/readiness.js';
import { reply, type Paths } from './operation.js';

/**
 * api/routes/health.ts. `GET /metrics` (Prometheus text, served by the local server and the
 * container only) is an operations endpoint, not part of this API: it is not documented here.
 */
export const healthPaths: Paths = {
  '/health': {
    get: {
      tags: ['API'],
      operationId: 'getHealth',
      summary: 'Liveness: the process answers (no dependency is called)',
      responses: { '200': reply('Alive', { type: 'object', properties: { status: { const: 'ok' } } }) },
    },
  },
  '/health/ready': {
    get: {
      tags: ['API'],
      operationId: 'getReadiness',
      summary: 'Readiness: the table, the queues, the bucket and the KMS key answer, each within 2 s',
      responses: {
        '200': reply('Every dependency answers', ReadinessReport),
        '503': reply('The dependencies that are down are named "down"', ReadinessReport),
      },
    },
  },
};
