import { handle } from 'hono/aws-lambda';
import type { Hono } from 'hono';
import { loadConfig } from '../src/config.js';
import { createServices } from '../src/services.js';
import { createApp } from './app.js';

/**
 * API Gateway entry (REST API and HTTP API events alike). The app is built once per container
 * on first use, so a cold start pays for configuration and queue lookups only once.
 */
let app: Promise<Hono> | undefined;
const getApp = () => (app ??= createServices(loadConfig()).then(createApp));

export const handler = async (
  event: Parameters<ReturnType<typeof handle>>[0],
  context: Parameters<ReturnType<typeof handle>>[1],
) => handle(await getApp())(event, context);
