import { request } from './http.js';

/** Polls a bulk task until it reaches a final status. */
export async function pollBulk(
  baseUrl: string,
  taskId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(baseUrl, 'GET', `/bulkthings/${taskId}`);
    const status = String(res.body.status);
    if (['Completed', 'CompletedWithFailures', 'Failed', 'Cancelled'].includes(status)) return res.body;
    if (Date.now() > deadline)
      throw new Error(
        `bulk task ${taskId} still ${status} after ${timeoutMs} ms: ${JSON.stringify(res.body)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every device result of a bulk task, following nextToken. */
export async function allResults(
  baseUrl: string,
  taskId: string,
  limit = 7,
): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  do {
    const query = `?limit=${limit}${nextToken ? `&nextToken=${nextToken}` : ''}`;
    const res = await request<{ results: Record<string, unknown>[]; nextToken?: string }>(
      baseUrl,
      'GET',
      `/bulkthings/${taskId}/results${query}`,
    );
    results.push(...res.body.results);
    nextToken = res.body.nextToken;
  } while (nextToken !== undefined);
  return results;
}
