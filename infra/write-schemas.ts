import { writeFile } from 'node:fs/promises';
import { messageSchemas } from './message-schemas.js';

/** `npm run schemas`: writes the queue message contracts as JSON Schema files for the README. */
for (const [file, schema] of Object.entries(messageSchemas())) {
  await writeFile(
    new URL(`../docs/schemas/${file}`, import.meta.url),
    `${JSON.stringify(schema, null, 2)}\n`,
  );
  process.stdout.write(`wrote docs/schemas/${file}\n`);
}
