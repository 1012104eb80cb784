import type { ProvisionRequest } from '../../src/tasks/request.js';
import { waitFor } from './wait.js';

/** Small fetch helpers for talking to the running API as a client would. */
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? {} : JSON.parse(text)) as T };
}

/** POST /things, waiting for the outcome: 201 with the ProvisionResponse, or the task's error. */
export function provisionNow(apiUrl: string, body: ProvisionRequest): Promise<JsonResponse> {
  return request(apiUrl, 'POST', '/things', { body, headers: { prefer: 'wait=20' } });
}

/** Polls a task until it is SUCCEEDED or FAILED. */
export async function pollTask(
  baseUrl: string,
  taskId: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const read = async () => (await request(baseUrl, 'GET', `/provisioningtasks/${taskId}`)).body;
  return waitFor(
    `task ${taskId}`,
    read,
    (task) => task.status === 'SUCCEEDED' || task.status === 'FAILED',
    timeoutMs,
  );
}
