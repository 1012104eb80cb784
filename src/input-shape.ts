/**
 * What every JSON input from outside must be, whatever its schema: request bodies, queue
 * messages, bulk lines and templates alike. Checked iteratively, before any recursive code (schema
 * checks, the template engine, the DynamoDB marshaller) sees the value:
 *
 * - nested at most MAX_NESTING levels deep, so no recursion over it can exhaust the stack;
 * - text (values and keys) that is well-formed Unicode: JSON's `\uXXXX` escapes can produce an
 *   unpaired UTF-16 surrogate, which has no UTF-8 encoding, so DynamoDB, SQS and IoT refuse it (or
 *   silently replace it) half way through a task;
 * - no key that every JavaScript object already has (`__proto__`, `constructor`, `toString`, ...):
 *   the service keys its own objects by user names (parameters, logical ids), `obj[name]` and
 *   `name in obj` would find the inherited member, and the DynamoDB marshaller writes `__proto__`
 *   as the prototype and takes a `constructor` key for the object's class.
 */
export const MAX_NESTING = 64;

export type ShapeProblemKind = 'too-deep' | 'ill-formed-text' | 'reserved-name';

export interface ShapeProblem {
  kind: ShapeProblemKind;
  /** Keys and indexes from the root to the offending value (for a bad key: to its object). */
  path: readonly (string | number)[];
  /** What is wrong, for a person, without the offending text itself unless it is escaped. */
  problem: string;
}

const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A name that every JavaScript object already has, such as `__proto__` or `toString`. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

const ILL_FORMED =
  'is not well-formed Unicode (it holds an unpaired UTF-16 surrogate, e.g. \\ud800); send valid text';

/**
 * Up to `limit` problems, an object's bad keys before what is inside it; a value nested too deep,
 * or held under a bad key, is not looked into further.
 */
export function shapeProblems(value: unknown, limit = 5): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  // Depth-first with an explicit stack (children pushed in reverse), so order matches the document.
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [
    { value, path: [], depth: 0 },
  ];
  while (stack.length > 0 && problems.length < limit) {
    const { value: node, path, depth } = stack.pop() as (typeof stack)[number];
    if (typeof node === 'string') {
      if (!node.isWellFormed()) problems.push({ kind: 'ill-formed-text', path, problem: ILL_FORMED });
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth === MAX_NESTING) {
      problems.push({
        kind: 'too-deep',
        path,
        problem: `is nested more than ${MAX_NESTING} levels deep; flatten it`,
      });
      continue;
    }
    const children: { value: unknown; path: (string | number)[]; depth: number }[] = [];
    if (Array.isArray(node)) {
      node.forEach((item, i) => children.push({ value: item, path: [...path, i], depth: depth + 1 }));
    } else {
      for (const [key, item] of Object.entries(node)) {
        if (!key.isWellFormed()) {
          const shown = JSON.stringify(key); // escapes the lone surrogate
          problems.push({ kind: 'ill-formed-text', path, problem: `the name ${shown} ${ILL_FORMED}` });
        } else if (isReservedName(key)) {
          problems.push({
            kind: 'reserved-name',
            path: [...path, key],
            problem:
              'is a name every JavaScript object already has and cannot be used here; choose another name',
          });
        } else {
          children.push({ value: item, path: [...path, key], depth: depth + 1 });
        }
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as (typeof children)[number]);
  }
  return problems.slice(0, limit);
}
