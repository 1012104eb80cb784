import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import type { TestStack } from './stack.js';
import { templateKey } from '../../src/templates/template-store.js';

const FIXTURES = new URL('../fixtures/templates/', import.meta.url);

/** Uploads a test-only template (from test/fixtures/templates, or given inline) to the stack's bucket. */
export async function putTemplate(stack: TestStack, id: string, body?: unknown): Promise<void> {
  const { bucket } = stack.config.templates;
  const content =
    body === undefined ? await readFile(new URL(`${id}.json`, FIXTURES), 'utf8') : JSON.stringify(body);
  await stack.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: templateKey(stack.config.templates, id), Body: content }),
  );
  stack.services.templates.forget(id);
}
