import { describe, expect, it } from '@jest/globals';
import { newTask, requestHash, taskIdForIdempotencyKey } from '../../../src/tasks/new-task.js';
import { TaskId, type ProvisionRequest } from '../../../src/tasks/request.js';
import { validator } from '../../../src/validation.js';

const REQUEST: ProvisionRequest = {
  provisioningTemplateId: 'basic',
  parameters: { ThingName: 'pump-7', Location: 'hall-2' },
  cdfProvisioningParameters: { certInfo: { country: 'GB', commonName: 'pump-7' } },
};
const taskId = validator(TaskId);
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

describe('requestHash', () => {
  it('is a hex SHA-256', () => {
    expect(requestHash(REQUEST)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order, at any depth', () => {
    const reordered = {
      cdfProvisioningParameters: { certInfo: { commonName: 'pump-7', country: 'GB' } },
      parameters: { Location: 'hall-2', ThingName: 'pump-7' },
      provisioningTemplateId: 'basic',
    };
    expect(requestHash(reordered)).toBe(requestHash(REQUEST));
    expect(requestHash(JSON.parse(JSON.stringify(REQUEST)))).toBe(requestHash(REQUEST));
  });

  it('ignores fields that are undefined, as JSON would', () => {
    expect(requestHash({ ...REQUEST, cdfProvisioningParameters: undefined })).toBe(
      requestHash({ provisioningTemplateId: 'basic', parameters: REQUEST.parameters }),
    );
  });

  it.each([
    ['a parameter value', { ...REQUEST, parameters: { ThingName: 'pump-8', Location: 'hall-2' } }],
    ['a parameter name', { ...REQUEST, parameters: { ThingName: 'pump-7', location: 'hall-2' } }],
    ['the template', { ...REQUEST, provisioningTemplateId: 'basic2' }],
    [
      'a nested value',
      { ...REQUEST, cdfProvisioningParameters: { certInfo: { country: 'FR', commonName: 'pump-7' } } },
    ],
    ['a missing field', { provisioningTemplateId: 'basic', parameters: REQUEST.parameters }],
    ['an extra field', { ...REQUEST, parameters: { ...REQUEST.parameters, Extra: '' } }],
  ])('changes with %s', (_, other) => {
    expect(requestHash(other)).not.toBe(requestHash(REQUEST));
  });

  it('tells values of different types and array orders apart', () => {
    expect(requestHash({ a: '1' })).not.toBe(requestHash({ a: 1 }));
    expect(requestHash({ a: null })).not.toBe(requestHash({ a: 'null' }));
    expect(requestHash([1, 2])).not.toBe(requestHash([2, 1]));
    expect(requestHash({ a: { b: 1 } })).not.toBe(requestHash({ 'a.b': 1 }));
  });
});

describe('taskIdForIdempotencyKey', () => {
  it('is deterministic', () => {
    expect(taskIdForIdempotencyKey('order-123')).toBe(taskIdForIdempotencyKey('order-123'));
  });

  it('differs for different keys, even keys that differ by one character or in case', () => {
    const keys = ['order-123', 'order-124', 'Order-123', 'order-123 ', '', 'é', 'e\u0301'];
    const ids = keys.map(taskIdForIdempotencyKey);
    expect(new Set(ids).size).toBe(keys.length);
  });

  it.each(['order-123', '', 'a key with spaces/and slashes?', 'ünïcødé 🔑', 'x'.repeat(10_000)])(
    'is a valid task id for %j',
    (key) => {
      const id = taskIdForIdempotencyKey(key);
      expect(taskId.problems(id)).toEqual([]);
      expect(id.length).toBeLessThanOrEqual(128);
      if (key !== '') expect(id).not.toContain(key);
    },
  );
});

describe('newTask', () => {
  it('makes a PENDING task with the request, its hash and timestamps', () => {
    const task = newTask('task-1', REQUEST, { source: 'api', ttlSeconds: 3600, now: NOW });
    expect(task).toEqual({
      taskId: 'task-1',
      status: 'PENDING',
      request: REQUEST,
      requestHash: requestHash(REQUEST),
      source: 'api',
      createdAt: '2024-01-02T03:04:05.678Z',
      updatedAt: '2024-01-02T03:04:05.678Z',
      attempts: 0,
      checkpoint: { policies: {} },
      expiresAt: Math.floor(NOW / 1000) + 3600,
    });
    expect(task).not.toHaveProperty('error');
  });

  it('makes a FAILED task carrying its error', () => {
    const error = { code: 'REQUEST_INVALID', message: 'bad request', kind: 'invalid' as const };
    const task = newTask('task-2', REQUEST, { source: 'queue', ttlSeconds: 60, error, now: NOW });
    expect(task).toMatchObject({
      status: 'FAILED',
      error,
      source: 'queue',
      attempts: 0,
    });
  });

  it('sets expiresAt in epoch seconds, ttlSeconds after now', () => {
    const at = Date.UTC(2030, 5, 1, 0, 0, 0, 999);
    expect(newTask('t', REQUEST, { source: 'api', ttlSeconds: 86_400, now: at }).expiresAt).toBe(
      Date.UTC(2030, 5, 2) / 1000,
    );
  });

  it('uses the current time when none is given', () => {
    const before = Date.now();
    const task = newTask('t', REQUEST, { source: 'api', ttlSeconds: 10 });
    const after = Date.now();
    const created = Date.parse(task.createdAt);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
    expect(task.expiresAt).toBe(Math.floor(created / 1000) + 10);
  });

  it('gives each task its own checkpoint object', () => {
    const a = newTask('a', REQUEST, { source: 'api', ttlSeconds: 1, now: NOW });
    const b = newTask('b', REQUEST, { source: 'api', ttlSeconds: 1, now: NOW });
    expect(a.checkpoint).not.toBe(b.checkpoint);
    expect(a.checkpoint.policies).not.toBe(b.checkpoint.policies);
  });
});
