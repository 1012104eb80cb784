import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * Compiled typebox validators that turn schema errors into one sentence a person can act on,
 * e.g. `/parameters/ThingName: must be string; /provisioningTemplateId: is required`.
 */
export interface Validator<T extends TSchema> {
  readonly schema: T;
  check(value: unknown): value is Static<T>;
  /** Every problem with `value`, empty when it is valid. Capped so a huge bad body stays readable. */
  problems(value: unknown): string[];
}

const MAX_PROBLEMS = 5;

export function validator<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema);
  return {
    schema,
    check: (value: unknown): value is Static<T> => compiled.Check(value),
    problems(value: unknown): string[] {
      if (compiled.Check(value)) return [];
      const out: string[] = [];
      for (const error of compiled.Errors(value)) {
        // 'schema is false' repeats the additionalProperties error that follows it.
        if (error.message === 'schema is false') continue;
        const where = error.instancePath === '' ? '(body)' : error.instancePath;
        const unknown = (error.params as { additionalProperties?: string[] }).additionalProperties;
        out.push(
          unknown === undefined
            ? `${where}: ${error.message}`
            : `${where}: unknown field(s) ${unknown.join(', ')}`,
        );
        if (out.length === MAX_PROBLEMS) break;
      }
      return out;
    },
  };
}
