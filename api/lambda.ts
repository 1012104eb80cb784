/* eslint-disable @typescript-eslint/no-deprecated --
   hono marks hono/aws-lambda deprecated in favour of @hono/aws-lambda, which is not published on
   the npm registry yet; switch when it is. */
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../src/config.js';
import { lambdaMetrics } from '../src/metrics/emf-metrics.js';
import { createApp } from './app.js';
import { createApiServices } from './compose.js';

/**
 * API Gateway entry (REST API and HTTP API events alike). The app is built once per container
 * on first use, so a cold start pays for configuration and queue lookups only once. Metrics go
 * to CloudWatch in embedded metric format, written at the end of every invocation.
 */
type LambdaHandler = ReturnType<typeof handle>;
let lambda: Promise<LambdaHandler> | undefined;
const metrics = lambdaMetrics();

export const handler: LambdaHandler = async (event, context) => {
  lambda ??= createApiServices(loadConfig(), { metrics }).then((services) => handle(createApp(services)));
  try {
    return await (
      await lambda
    )(event, context);
  } finally {
    metrics.flush();
  }
};
