import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { shapeProblems } from './input-shape.js';

/**
 * Compiled typebox validators that turn schema errors into one sentence a person can act on,
 * e.g. `/parameters/ThingName: must be string; /provisioningTemplateId: is required`. Before the
 * schema, every value must pass `shapeProblems` (nesting depth, well-formed Unicode, no reserved
 * names), so a validated input is safe to hand to recursive code, AWS and DynamoDB.
 */
export interface Validator<T extends TSchema> {
  readonly schema: T;
  check(value: unknown): value is Static<T>;
  /** Every problem with `value`, empty when it is valid. Capped so a huge bad body stays readable. */
  problems(value: unknown): string[];
}

const MAX_PROBLEMS = 5;
/** Paths longer than this are cut in messages: the first segments say where, the rest is noise. */
const MAX_SHOWN_SEGMENTS = 8;

export function validator<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema);
  return {
    schema,
    check: (value: unknown): value is Static<T> =>
      shapeProblems(value, 1).length === 0 && compiled.Check(value),
    problems(value: unknown): string[] {
      const shape = shapeProblems(value, MAX_PROBLEMS);
      if (shape.length > 0) return shape.map(({ path, problem }) => `${pointer(path)}: ${problem}`);
      if (compiled.Check(value)) return [];
      const out: string[] = [];
      for (const error of compiled.Errors(value)) {
        // 'schema is false' repeats the additionalProperties error that follows it.
        if (error.message === 'schema is false') continue;
        const where = error.instancePath === '' ? '(body)' : error.instancePath;
        const extra = (error.params as { additionalProperties?: string[] }).additionalProperties;
        out.push(extra === undefined ? `${where}: ${error.message}` : extraKeys(where, extra, schema, error));
        if (out.length === MAX_PROBLEMS) break;
      }
      return out;
    },
  };
}

/** Keys a schema does not allow: unknown fields of an object, or names a map's pattern refuses. */
function extraKeys(where: string, keys: string[], root: TSchema, error: { schemaPath: string }): string {
  const patterns = Object.keys(schemaAt(root, error.schemaPath)?.patternProperties ?? {});
  if (patterns.length === 0) return `${where}: unknown field(s) ${keys.join(', ')}`;
  const names = keys.map((k) => JSON.stringify(k)).join(', ');
  return `${where}: ${names} cannot be used as a name here; names must match ${patterns.join(' or ')}`;
}

/** The sub-schema at a JSON pointer such as `#/properties/parameters`. */
function schemaAt(root: TSchema, schemaPath: string): { patternProperties?: object } | undefined {
  let node: unknown = root;
  for (const raw of schemaPath
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s !== '')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return typeof node === 'object' && node !== null ? node : undefined;
}

/** RFC 6901, as typebox writes instance paths; '(body)' for the whole value. */
function pointer(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(body)';
  const shown = path
    .slice(0, MAX_SHOWN_SEGMENTS)
    .map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`);
  return shown.join('') + (path.length > MAX_SHOWN_SEGMENTS ? `/… (${path.length} levels)` : '');
}
