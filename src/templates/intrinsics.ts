import { fail } from './errors.js';
import { at, describe, isObject, type Json, type JsonObject } from './json.js';
import { isPseudoParameter } from './parameters.js';
import type { AwsTemplate, MappingValue } from './types.js';

/** What `{"Ref": "AWS::NoValue"}` evaluates to: the property or list item holding it is left out. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
export type Value = Json | typeof NO_VALUE;

/**
 * Where an expression stands. In a `property` anything but condition functions may be used; an
 * `operand` of Fn::Equals is the same without Fn::If (as in CloudFormation's Conditions section);
 * a `condition` must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or {"Condition": name}.
 */
export type Mode = 'property' | 'operand' | 'condition';

/** What evaluation needs beyond the template itself. */
export interface Scope {
  readonly template: AwsTemplate;
  /** The value of a parameter or pseudo parameter. */
  ref(name: string, path: string): string;
  condition(name: string, path: string): boolean;
}

/**
 * How a function's arguments are written: `literal` is a plain string in the template itself;
 * `value`, `list` and `vars` (an object of values) are expressions in the caller's mode.
 */
type Kind = 'literal' | 'value' | 'list' | 'vars' | 'operand' | 'condition';
type Form = Kind | readonly Kind[] | { each: Kind; min: number; max: number };

interface Arg {
  kind: Kind;
  node: Json;
  path: string;
}

/** A function's arguments, evaluated only when asked for (so Fn::If skips the branch not taken). */
interface Args {
  readonly count: number;
  path(i: number): string;
  literal(i: number): string;
  value(i: number): Value;
  string(i: number): string;
  list(i: number): Value[];
  bool(i: number): boolean;
  vars(i: number): Map<string, string>;
}

interface FunctionSpec {
  modes: readonly Mode[];
  usage: string;
  forms: readonly Form[];
  /** Static checks beyond the shape, e.g. that a referenced name is declared. */
  check?: (args: readonly Json[], path: string, template: AwsTemplate) => void;
  run: (args: Args, scope: Scope, path: string) => Value;
}

const VALUE_MODES: readonly Mode[] = ['property', 'operand'];
const CONDITION_MODE: readonly Mode[] = ['condition'];
const PLACEHOLDER = /\$\{(!?)([^}]*)\}/g;

/** The functions AWS IoT documents for provisioning templates, plus CloudFormation's conditions. */
const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  Ref: {
    modes: VALUE_MODES,
    usage: '"ParameterName"',
    forms: ['literal'],
    check: ([name], path, template) => {
      requireRef(template, name as string, path, true);
    },
    run: (a, scope, path) => (a.literal(0) === 'AWS::NoValue' ? NO_VALUE : scope.ref(a.literal(0), path)),
  },
  'Fn::Join': {
    modes: VALUE_MODES,
    usage: '[delimiter, [values]]',
    forms: [['literal', 'list']],
    run: (a) =>
      a
        .list(1)
        .map((item) => asString(item, a.path(1)))
        .join(a.literal(0)),
  },
  'Fn::Sub': {
    modes: VALUE_MODES,
    usage: '"text with ${Name}" or ["text with ${Name}", {"Name": value}]',
    forms: ['literal', ['literal', 'vars']],
    check: ([text, vars], path, template) => {
      for (const name of placeholders(text as string, path)) {
        if (!(isObject(vars) && Object.hasOwn(vars, name))) requireRef(template, name, path, false);
      }
    },
    run: (a, scope, path) => {
      const vars = a.count > 1 ? a.vars(1) : new Map<string, string>();
      return a
        .literal(0)
        .replace(PLACEHOLDER, (_match, bang: string, name: string) =>
          bang === '!' ? `\${${name}}` : (vars.get(name) ?? scope.ref(name, path)),
        );
    },
  },
  'Fn::Select': {
    modes: VALUE_MODES,
    usage: '[index, [values]]',
    forms: [['value', 'list']],
    run: (a) => {
      const list = a.list(1);
      const index = asIndex(a.value(0), a.path(0));
      const item = list[index];
      if (item === undefined) {
        return fail(
          'TEMPLATE_FUNCTION_INVALID',
          a.path(0),
          `index ${index} is outside the ${list.length} values`,
        );
      }
      return item;
    },
  },
  'Fn::Split': {
    modes: VALUE_MODES,
    usage: '[delimiter, text]',
    forms: [['literal', 'value']],
    check: ([delimiter], path) => {
      if (delimiter === '') fail('TEMPLATE_FUNCTION_INVALID', path, 'Fn::Split needs a non-empty delimiter');
    },
    run: (a) => a.string(1).split(a.literal(0)),
  },
  'Fn::FindInMap': {
    modes: VALUE_MODES,
    usage: '[MapName, TopLevelKey, SecondLevelKey]',
    forms: [['value', 'value', 'value']],
    check: (keys, path, template) => {
      findInMap(
        template,
        keys.map((key) => (typeof key === 'string' ? key : undefined)),
        path,
      );
    },
    run: (a, scope, path) => findInMap(scope.template, [a.string(0), a.string(1), a.string(2)], path),
  },
  'Fn::If': {
    modes: ['property'],
    usage: '[ConditionName, valueIfTrue, valueIfFalse]',
    forms: [['literal', 'value', 'value']],
    check: ([name], path, template) => {
      requireCondition(template, name as string, path);
    },
    run: (a, scope, path) => a.value(scope.condition(a.literal(0), path) ? 1 : 2),
  },
  'Fn::Base64': {
    modes: VALUE_MODES,
    usage: '"text"',
    forms: ['value'],
    run: (a) => Buffer.from(a.string(0), 'utf8').toString('base64'),
  },
  'Fn::Equals': {
    modes: CONDITION_MODE,
    usage: '[value1, value2]',
    forms: [['operand', 'operand']],
    run: (a) => comparable(a.value(0), a.path(0)) === comparable(a.value(1), a.path(1)),
  },
  'Fn::And': {
    modes: CONDITION_MODE,
    usage: '[condition, condition, ...] with 2 to 10 conditions',
    forms: [{ each: 'condition', min: 2, max: 10 }],
    run: (a) => indexes(a.count).every((i) => a.bool(i)),
  },
  'Fn::Or': {
    modes: CONDITION_MODE,
    usage: '[condition, condition, ...] with 2 to 10 conditions',
    forms: [{ each: 'condition', min: 2, max: 10 }],
    run: (a) => indexes(a.count).some((i) => a.bool(i)),
  },
  'Fn::Not': {
    modes: CONDITION_MODE,
    usage: '[condition]',
    forms: [['condition']],
    run: (a) => !a.bool(0),
  },
  Condition: {
    modes: CONDITION_MODE,
    usage: '"ConditionName"',
    forms: ['literal'],
    check: ([name], path, template) => {
      requireCondition(template, name as string, path);
    },
    run: (a, scope, path) => scope.condition(a.literal(0), path),
  },
};

/** Refuses, with the reason, any expression that could never be evaluated. */
export function checkExpression(node: Json, path: string, mode: Mode, template: AwsTemplate): void {
  const call = callOf(node, mode, path);
  if (call === undefined) {
    if (mode === 'condition') {
      fail(
        'TEMPLATE_CONDITION_INVALID',
        path,
        `expected a condition function, not ${describe(node)}; ${CONDITION_HINT}`,
      );
    }
    for (const [child, childPath] of children(node, path)) checkExpression(child, childPath, mode, template);
    return;
  }
  call.spec.check?.(
    call.args.map((arg) => arg.node),
    path,
    template,
  );
  for (const arg of call.args) {
    if (arg.kind === 'literal') continue;
    const nodes: [Json, string][] =
      arg.kind === 'vars' ? children(arg.node, arg.path) : [[arg.node, arg.path]];
    for (const [child, childPath] of nodes)
      checkExpression(child, childPath, modeOf(arg.kind, mode), template);
  }
}

/** Evaluates an expression that `checkExpression` accepted. */
export function evaluate(node: Json, path: string, scope: Scope, mode: Mode = 'property'): Value {
  const call = callOf(node, mode, path);
  if (call !== undefined) return call.spec.run(lazyArgs(call.args, scope, mode), scope, path);
  if (Array.isArray(node)) {
    return node.map((item, i) => evaluate(item, at(path, i), scope, mode)).filter(isJson);
  }
  if (isObject(node)) {
    const entries = Object.entries(node).map(([key, child]): [string, Value] => [
      key,
      evaluate(child, at(path, key), scope, mode),
    ]);
    return Object.fromEntries(entries.filter((entry): entry is [string, Json] => isJson(entry[1])));
  }
  return node;
}

/**
 * Whether an expression can evaluate to AWS::NoValue (and so leave its property out): only
 * {"Ref": "AWS::NoValue"} itself, or an Fn::If with such a branch. Lists drop the items that are.
 */
export function mayBeNoValue(node: Json): boolean {
  if (!isObject(node)) return false;
  if (node.Ref === 'AWS::NoValue') return true;
  const branches = node['Fn::If'];
  return Array.isArray(branches) && branches.slice(1).some(mayBeNoValue);
}

/**
 * The conditions a condition refers to, each with the level of JSON it is referred from (1 for
 * the condition itself): to refuse loops, and to bound the depth evaluation recurses to.
 */
export function conditionReferences(node: Json, level = 1): [string, number][] {
  if (isObject(node) && typeof node.Condition === 'string' && Object.keys(node).length === 1) {
    return [[node.Condition, level]];
  }
  return children(node, '').flatMap(([child]) => conditionReferences(child, level + 1));
}

export function requireCondition(template: AwsTemplate, name: string, path: string): void {
  if (!Object.hasOwn(template.Conditions ?? {}, name)) {
    fail('TEMPLATE_REFERENCE_UNKNOWN', path, `no condition named "${name}"; declare it under Conditions`);
  }
}

export function asBoolean(value: Value, path: string): boolean {
  if (typeof value === 'boolean') return value;
  return fail('TEMPLATE_CONDITION_INVALID', path, `expected true or false, not ${describe(value)}`);
}

const CONDITION_HINT = 'use Fn::Equals, Fn::And, Fn::Or, Fn::Not or {"Condition": "Name"}';

interface Call {
  spec: FunctionSpec;
  args: Arg[];
}

/** The intrinsic function `node` calls, if any (`Condition` is only a function among conditions). */
function callOf(node: Json, mode: Mode, path: string): Call | undefined {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  const name = keys.find((key) => isCallKey(key) || (key === 'Condition' && mode === 'condition'));
  if (name === undefined) return undefined;
  if (keys.length > 1) {
    fail('TEMPLATE_FUNCTION_INVALID', path, `${name} must be the only key of its object; remove the others`);
  }
  const spec = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (spec === undefined) {
    return fail(
      'TEMPLATE_FUNCTION_INVALID',
      path,
      `${name} is not an intrinsic function AWS IoT provisioning templates support; use ${Object.keys(FUNCTIONS).join(', ')}`,
    );
  }
  if (!spec.modes.includes(mode)) fail('TEMPLATE_CONDITION_INVALID', path, misplaced(name, mode));
  const arg = node[name] as Json;
  for (const form of spec.forms) {
    const args = match(form, arg, at(path, name));
    if (args !== undefined) return { spec, args };
  }
  return fail('TEMPLATE_FUNCTION_INVALID', path, `${name} expects ${spec.usage}, not ${describe(arg)}`);
}

function misplaced(name: string, mode: Mode): string {
  if (mode === 'condition') return `a condition cannot be ${name}; ${CONDITION_HINT}`;
  if (name === 'Fn::If')
    return 'Fn::If cannot be used inside Conditions; combine conditions with Fn::And / Fn::Or';
  if (mode === 'operand')
    return `Fn::Equals compares values, not conditions; combine conditions with Fn::And / Fn::Or`;
  return `${name} can only be used in the Conditions section; declare a condition there and use it with Fn::If`;
}

function match(form: Form, arg: Json, path: string): Arg[] | undefined {
  if (typeof form === 'string') return fits(form, arg) ? [{ kind: form, node: arg, path }] : undefined;
  if (!Array.isArray(arg)) return undefined;
  const [min, max] = 'each' in form ? [form.min, form.max] : [form.length, form.length];
  if (arg.length < min || arg.length > max) return undefined;
  const args = arg.map((node, i) => ({
    kind: 'each' in form ? form.each : (form[i] ?? 'value'),
    node,
    path: at(path, i),
  }));
  return args.every((a) => fits(a.kind, a.node)) ? args : undefined;
}

function fits(kind: Kind, node: Json): boolean {
  if (kind === 'literal') return typeof node === 'string';
  if (kind === 'vars') return isObject(node);
  if (kind === 'list') return Array.isArray(node) || (isObject(node) && Object.keys(node).some(isCallKey));
  return true;
}

function isCallKey(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::');
}

function modeOf(kind: Kind, mode: Mode): Mode {
  if (kind === 'condition' || kind === 'operand') return kind;
  return mode;
}

function lazyArgs(args: readonly Arg[], scope: Scope, mode: Mode): Args {
  const arg = (i: number): Arg => {
    const found = args[i];
    if (found === undefined) throw new Error(`intrinsic function argument ${i} does not exist`);
    return found;
  };
  const value = (i: number): Value => evaluate(arg(i).node, arg(i).path, scope, modeOf(arg(i).kind, mode));
  return {
    count: args.length,
    path: (i) => arg(i).path,
    literal: (i) => arg(i).node as string,
    value,
    string: (i) => asString(value(i), arg(i).path),
    list: (i) => asList(value(i), arg(i).path),
    bool: (i) => asBoolean(value(i), arg(i).path),
    vars: (i) => {
      const { node, path } = arg(i);
      return new Map(
        Object.entries(node as JsonObject).map(([name, child]) => {
          const childPath = at(path, name);
          return [name, asString(evaluate(child, childPath, scope, mode), childPath)];
        }),
      );
    },
  };
}

function children(node: Json, path: string): [Json, string][] {
  if (Array.isArray(node)) return node.map((child, i) => [child, at(path, i)]);
  if (isObject(node)) return Object.entries(node).map(([key, child]) => [child, at(path, key)]);
  return [];
}

function requireRef(template: AwsTemplate, name: string, path: string, allowNoValue: boolean): void {
  const declared = Object.keys(template.Parameters ?? {});
  if (declared.includes(name) || isPseudoParameter(name) || (allowNoValue && name === 'AWS::NoValue')) return;
  if (name === 'AWS::NoValue') {
    fail('TEMPLATE_FUNCTION_INVALID', path, 'AWS::NoValue can only be used as {"Ref": "AWS::NoValue"}');
  }
  if (Object.hasOwn(template.Resources, name)) {
    fail(
      'TEMPLATE_REFERENCE_UNKNOWN',
      path,
      `"${name}" is a resource; AWS IoT templates can only refer to parameters`,
    );
  }
  const choices = declared.length > 0 ? ` (declared: ${declared.join(', ')})` : '';
  fail(
    'TEMPLATE_REFERENCE_UNKNOWN',
    path,
    `"${name}" is not a declared parameter${choices}; declare it under Parameters`,
  );
}

/** `${Name}` placeholders of an Fn::Sub text, without the `${!Literal}` escapes. */
function placeholders(text: string, path: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].flatMap(([, bang, name = '']) => {
    if (bang === '!') return [];
    if (name.includes('.')) {
      fail(
        'TEMPLATE_FUNCTION_INVALID',
        path,
        `Fn::Sub \${${name}} names a resource attribute (Fn::GetAtt), which AWS IoT provisioning templates do not support`,
      );
    }
    return [name];
  });
}

/** Walks as many of the keys as are known; at parse time the dynamic ones are still undefined. */
function findInMap(template: AwsTemplate, keys: [string, string, string], path: string): MappingValue;
function findInMap(template: AwsTemplate, keys: (string | undefined)[], path: string): void;
function findInMap(
  template: AwsTemplate,
  keys: (string | undefined)[],
  path: string,
): MappingValue | undefined {
  let node: unknown = template.Mappings ?? {};
  let where = 'Mappings';
  for (const key of keys) {
    if (key === undefined) return undefined;
    if (!isObject(node) || !Object.hasOwn(node, key)) {
      const choices = isObject(node) ? Object.keys(node).join(', ') : '';
      return fail(
        'TEMPLATE_REFERENCE_UNKNOWN',
        path,
        `Fn::FindInMap: ${where} has no key "${key}"; use one of: ${choices}`,
      );
    }
    node = node[key];
    where = at(where, key);
  }
  return Array.isArray(node) ? [...(node as string[])] : (node as string);
}

function asString(value: Value, path: string): string {
  if (typeof value === 'string') return value;
  const hint = value === NO_VALUE ? ' (AWS::NoValue can only stand for a whole property or list item)' : '';
  return fail('TEMPLATE_FUNCTION_INVALID', path, `expected a string, not ${describe(value)}${hint}`);
}

function asList(value: Value, path: string): Value[] {
  if (Array.isArray(value)) return value;
  return fail('TEMPLATE_FUNCTION_INVALID', path, `expected a list, not ${describe(value)}`);
}

function asIndex(value: Value, path: string): number {
  const index = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof index === 'number' && Number.isInteger(index) && index >= 0) return index;
  return fail('TEMPLATE_FUNCTION_INVALID', path, `expected an index (0, 1, ...), not ${describe(value)}`);
}

/** Fn::Equals compares as CloudFormation does: scalars by their text, lists and objects by content. */
function comparable(value: Value, path: string): string {
  if (value === NO_VALUE) return fail('TEMPLATE_FUNCTION_INVALID', path, 'cannot compare AWS::NoValue');
  return JSON.stringify(typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);
}

function isJson(value: Value): value is Json {
  return value !== NO_VALUE;
}

function indexes(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
