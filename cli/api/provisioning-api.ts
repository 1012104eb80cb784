import { validator } from '../../src/validation.js';
import { ApiAnswerInvalidError } from '../errors.js';
import { errorOf, errorOfText, type HttpClient } from './http-client.js';
import {
  BulkTaskList,
  BulkTaskView,
  DeviceResult,
  ProvisionAnswer,
  PurgeAnswer,
  TaskList,
  TaskView,
  UploadTicket,
} from './schemas.js';

export interface BulkSubmission {
  provisioningTemplateId: string;
  inputFile: { bucket: string; key: string };
  cdfProvisioningParameters?: Record<string, unknown>;
  dryRun?: boolean;
  existingThings?: ExistingThings;
}
export type ExistingThings = 'refuse' | 'skip' | 'provision';

export interface ListQuery {
  status?: string;
  templateId?: string;
  since?: string;
  until?: string;
  limit?: number;
  nextToken?: string;
}

/** A submitted bulk task, and whether this call made it (else its Idempotency-Key had). */
export interface SubmittedBulk {
  created: boolean;
  task: BulkTaskView;
}

const deviceResult = validator(DeviceResult);
const provisionAnswer = validator(ProvisionAnswer);
const NDJSON = 'application/x-ndjson';

/** The provisioning API's calls, one method each, as ISSUE9-CONTRACT.md defines them. */
export class ProvisioningApi {
  constructor(readonly http: HttpClient) {}

  async createUpload(fileName: string): Promise<UploadTicket> {
    const answer = await this.http.json(
      'POST',
      '/bulkthings/uploads',
      UploadTicket,
      { json: { fileName } },
      [201],
    );
    return answer.body;
  }

  /** `POST /bulkthings`: 202 a new task, or 200 the task this Idempotency-Key already made. */
  submitBulk(submission: BulkSubmission, idempotencyKey: string): Promise<SubmittedBulk> {
    return this.submitBulkTask('/bulkthings', submission, idempotencyKey);
  }

  /** `POST /certificates/rotations`: a fleet rotation, a bulk task, answered as `submitBulk`. */
  rotateFleet(body: Record<string, unknown>, idempotencyKey: string): Promise<SubmittedBulk> {
    return this.submitBulkTask('/certificates/rotations', body, idempotencyKey);
  }

  private async submitBulkTask(path: string, body: unknown, idempotencyKey: string): Promise<SubmittedBulk> {
    const answer = await this.http.json(
      'POST',
      path,
      BulkTaskView,
      { json: body, headers: { 'idempotency-key': idempotencyKey }, idempotent: true },
      [200, 202],
    );
    return { created: answer.status === 202, task: answer.body };
  }

  async bulkTask(taskId: string): Promise<BulkTaskView> {
    return (
      await this.http.json('GET', `/bulkthings/${encodeURIComponent(taskId)}`, BulkTaskView, {
        idempotent: true,
      })
    ).body;
  }

  async listBulkTasks(query: ListQuery): Promise<BulkTaskList> {
    return (
      await this.http.json('GET', '/bulkthings', BulkTaskList, { query: { ...query }, idempotent: true })
    ).body;
  }

  /** `DELETE /bulkthings/{id}`, the contract's twin of POST …/cancel: no body, so no Content-Type to send. */
  async cancelBulk(taskId: string): Promise<BulkTaskView> {
    return (await this.http.json('DELETE', `/bulkthings/${encodeURIComponent(taskId)}`, BulkTaskView)).body;
  }

  async retryBulk(taskId: string, idempotencyKey: string): Promise<{ created: boolean; task: BulkTaskView }> {
    const answer = await this.http.json(
      'POST',
      `/bulkthings/${encodeURIComponent(taskId)}/retry`,
      BulkTaskView,
      { json: {}, headers: { 'idempotency-key': idempotencyKey }, idempotent: true },
      [200, 202],
    );
    return { created: answer.status === 202, task: answer.body };
  }

  async purgeBulkKeys(taskId: string): Promise<number> {
    const path = `/bulkthings/${encodeURIComponent(taskId)}/privatekeys`;
    return (await this.http.json('DELETE', path, PurgeAnswer, { idempotent: true })).body.purged;
  }

  async purgeTaskKey(taskId: string): Promise<void> {
    const path = `/provisioningtasks/${encodeURIComponent(taskId)}/privatekey`;
    const response = await this.http.send('DELETE', path, { idempotent: true });
    if (response.status !== 204) throw await errorOf(response, 'DELETE', path);
  }

  /** Every device result of a task, streamed (NDJSON): flat memory for any number of devices. */
  async *results(taskId: string, status?: 'FAILED' | 'SUCCEEDED' | 'SKIPPED'): AsyncGenerator<DeviceResult> {
    const path = `/bulkthings/${encodeURIComponent(taskId)}/results`;
    const response = await this.http.send('GET', path, {
      query: { status },
      headers: { accept: NDJSON },
      idempotent: true,
    });
    if (response.status !== 200) throw await errorOf(response, 'GET', path);
    if (response.body === null) return;
    const decoder = new TextDecoder();
    const body: AsyncIterable<Uint8Array> = response.body;
    let pending = '';
    for await (const chunk of body) {
      const text = pending + decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
        const line = text.slice(start, newline);
        start = newline + 1;
        if (line.trim() !== '') yield parseResult(line, path);
      }
      pending = text.slice(start);
    }
    pending += decoder.decode();
    if (pending.trim() !== '') yield parseResult(pending, path);
  }

  /**
   * `POST /things`, waiting up to `waitSeconds` for the outcome. Returns the task id whether the
   * device is done, still running or failed (the task then says why); a request refused before a
   * task was made throws.
   */
  async provision(
    request: {
      provisioningTemplateId: string;
      parameters: Record<string, string>;
      cdfProvisioningParameters?: Record<string, unknown>;
    },
    idempotencyKey: string,
    waitSeconds: number,
  ): Promise<{ taskId: string }> {
    return this.submit('/things', request, idempotencyKey, waitSeconds);
  }

  /**
   * `POST /things/{thingName}/certificates/rotations`, answered as `provision` is: the task id
   * whether the rotation is done, still running or failed; a request refused before a task was
   * made throws.
   */
  async rotate(
    thingName: string,
    body: Record<string, unknown>,
    idempotencyKey: string,
    waitSeconds: number,
  ): Promise<{ taskId: string }> {
    return this.submit(
      `/things/${encodeURIComponent(thingName)}/certificates/rotations`,
      body,
      idempotencyKey,
      waitSeconds,
    );
  }

  private async submit(
    path: string,
    json: unknown,
    idempotencyKey: string,
    waitSeconds: number,
  ): Promise<{ taskId: string }> {
    const response = await this.http.send('POST', path, {
      json,
      headers: { 'idempotency-key': idempotencyKey, prefer: `wait=${waitSeconds}` },
      idempotent: true,
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (provisionAnswer.check(body)) return { taskId: body.taskId };
    throw errorOfText(response, text, 'POST', path);
  }

  async task(taskId: string): Promise<TaskView> {
    return (
      await this.http.json('GET', `/provisioningtasks/${encodeURIComponent(taskId)}`, TaskView, {
        idempotent: true,
      })
    ).body;
  }

  async listTasks(query: ListQuery & { source?: string }): Promise<TaskList> {
    return (
      await this.http.json('GET', '/provisioningtasks', TaskList, { query: { ...query }, idempotent: true })
    ).body;
  }
}

function parseResult(text: string, path: string): DeviceResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiAnswerInvalidError('API_ANSWER_INVALID', `GET ${path} streamed a line that is not JSON`);
  }
  const problems = deviceResult.problems(value);
  if (problems.length > 0)
    throw new ApiAnswerInvalidError(
      'API_ANSWER_INVALID',
      `GET ${path} streamed an unexpected result: ${problems.join('; ')}`,
    );
  return value as DeviceResult;
}
