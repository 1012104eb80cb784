import { TemplateError } from './errors.js';

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `at('Resources', 'thing')` → `Resources.thing`; odd keys are quoted, indexes bracketed. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!/^[\w:-]+$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Paths longer than this are cut in messages: the first segments say where, the rest is noise. */
const MAX_SHOWN_SEGMENTS = 8;

/** A path of keys and indexes as `at` writes it, e.g. `Resources.thing.Properties[0]`. */
export function pathOf(segments: readonly (string | number)[]): string {
  const shown = segments.slice(0, MAX_SHOWN_SEGMENTS).reduce<string>((path, key) => at(path, key), '');
  return segments.length > MAX_SHOWN_SEGMENTS ? `${shown}… (${segments.length} levels)` : shown;
}

/** Without the keys whose value is undefined, so a result reads (and compares) as written. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

/** A value as a person would name it in a message: its JSON when short. */
export function describe(value: unknown): string {
  if (typeof value === 'symbol') return 'AWS::NoValue';
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text.length <= 60) return text;
  if (Array.isArray(value)) return `a list of ${value.length} values`;
  return isObject(value) ? 'an object' : `${text.slice(0, 57)}...`;
}

/** JSON.parse, but a syntax error says where it is (Node's own message often does not). */
export function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e: unknown) {
    const offset = syntaxErrorOffset(text);
    // V8 quotes the text itself in some messages and gives a position in others: keep the gist.
    const reason = (e instanceof Error ? e.message : String(e))
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '');
    const before = text.slice(0, offset);
    const where =
      offset < 0 ? '' : ` at line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    throw new TemplateError(
      'TEMPLATE_JSON_INVALID',
      '',
      `not valid JSON${where} (${reason}); fix the syntax`,
      {
        cause: e,
      },
    );
  }
}

class Stop extends Error {
  constructor(readonly offset: number) {
    super('JSON syntax error');
  }
}

const SPACE = /[ \t\n\r]*/y;
// JSON strings cannot hold raw control characters, so the pattern must name them.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SCALAR = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Offset of the first JSON syntax error in `text`, or -1 when none is found. */
function syntaxErrorOffset(text: string): number {
  let i = 0;
  const token = (pattern: RegExp): void => {
    pattern.lastIndex = i;
    if (!pattern.test(text)) throw new Stop(i);
    i = pattern.lastIndex;
  };
  const expect = (char: string): void => {
    token(SPACE);
    if (text[i] !== char) throw new Stop(i);
    i++;
  };
  const value = (): void => {
    token(SPACE);
    const open = text[i];
    if (open !== '{' && open !== '[') {
      token(open === '"' ? STRING : SCALAR);
      return;
    }
    const close = open === '{' ? '}' : ']';
    i++;
    token(SPACE);
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (open === '{') {
        token(SPACE);
        token(STRING);
        expect(':');
      }
      value();
      token(SPACE);
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
  };
  try {
    value();
    token(SPACE);
    return i < text.length ? i : -1;
  } catch (e: unknown) {
    if (e instanceof Stop) return e.offset;
    return -1; // e.g. nesting too deep for the stack: report without a position
  }
}
