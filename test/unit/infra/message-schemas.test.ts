import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { messageSchemas } from '../../../infra/message-schemas.js';

describe('published queue message schemas', () => {
  it.each(Object.entries(messageSchemas()))(
    'docs/schemas/%s matches the code (run npm run schemas)',
    async (file, schema) => {
      const published: unknown = JSON.parse(
        await readFile(new URL(`../../../docs/schemas/${file}`, import.meta.url), 'utf8'),
      );
      expect(published).toEqual(schema);
    },
  );
});
