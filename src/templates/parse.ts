import { MAX_NESTING, shapeProblems } from '../input-shape.js';
import { fail, TemplateError } from './errors.js';
import { checkExpression, conditionReferences, mayBeNoValue, requireCondition } from './intrinsics.js';
import { at, defined, describe, isObject, parseJson, pathOf, type Json, type JsonObject } from './json.js';
import { parameterDefinition } from './parameters.js';
import { checkPresence, RESOURCE_SPECS } from './resources.js';
import type {
  AwsTemplate,
  MappingValue,
  OverrideAction,
  ParsedTemplate,
  ResourceDefinition,
  ResourceType,
} from './types.js';

const SECTIONS = ['Parameters', 'Mappings', 'Conditions', 'Resources', 'DeviceConfiguration'];
const RESOURCE_KEYS = ['Type', 'Properties', 'Condition', 'OverrideSettings'];

/**
 * Checks a template completely, so that one which could never provision is refused when it is
 * read rather than half way through provisioning a device. `body` is the JSON text, or a value
 * already parsed from it. A top-level `CDF` block is split off unchecked beyond being an object.
 *
 * The engine recurses over templates (checking, evaluating, collecting references), so its depth
 * is bounded here, before any of that runs: at most MAX_NESTING levels of JSON, and of JSON plus
 * the conditions a condition refers to. Every later walk works on what this returned.
 */
export function parseTemplate(body: unknown): ParsedTemplate {
  const root = typeof body === 'string' ? checkShape(parseJson(body)) : plainJson(checkShape(body));
  if (!isObject(root)) return fail('TEMPLATE_INVALID', '', 'must be a JSON object with a Resources section');
  const { CDF: cdf, ...raw } = root;
  if (cdf !== undefined && !isObject(cdf)) {
    fail(
      'TEMPLATE_INVALID',
      'CDF',
      'must be an object of CDF extensions, e.g. {"createDeviceAWSCertificate": true}',
    );
  }
  onlyKeys(raw, '', SECTIONS, 'is not a template section');
  const template: AwsTemplate = defined({
    Parameters: section(raw, 'Parameters', (definition, name, path) =>
      parameterDefinition(name, definition, path),
    ),
    Mappings: section(raw, 'Mappings', (map, _, path) =>
      mapObject(map, path, (top, __, topPath) => mapObject(top, topPath, mappingValue)),
    ),
    Conditions: section(raw, 'Conditions', (condition) => condition),
    Resources: section(raw, 'Resources', resource) ?? fail('TEMPLATE_INVALID', 'Resources', 'is required'),
    DeviceConfiguration:
      raw.DeviceConfiguration === undefined
        ? undefined
        : object(raw.DeviceConfiguration, 'DeviceConfiguration'),
  });
  checkResourceCounts(template.Resources);
  checkExpressions(template);
  return { aws: template, cdf, parameterNames: Object.keys(template.Parameters ?? {}) };
}

/** Parameters a request must send: those without a Default (AWS IoT supplies the AWS:: ones). */
export function requiredParameters(parsed: ParsedTemplate): string[] {
  return Object.entries(parsed.aws.Parameters ?? {})
    .filter(([name, definition]) => definition.Default === undefined && !name.startsWith('AWS::'))
    .map(([name]) => name);
}

function resource(raw: Json, logicalId: string, path: string): ResourceDefinition {
  // The logical id names the resource in the task's record, as a segment of a DynamoDB document path.
  if (logicalId === '' || logicalId.includes('.')) {
    fail('TEMPLATE_INVALID', path, 'a logical id must not be empty or contain "."; rename the resource');
  }
  const definition = object(raw, path, 'must be an object with Type and Properties');
  onlyKeys(definition, path, RESOURCE_KEYS, 'is not a resource key');
  const type = definition.Type;
  if (typeof type !== 'string' || !Object.hasOwn(RESOURCE_SPECS, type)) {
    const types = Object.keys(RESOURCE_SPECS).join(', ');
    return fail(
      'TEMPLATE_INVALID',
      at(path, 'Type'),
      `${describe(type)} is not a supported resource type; use ${types}`,
    );
  }
  const spec = RESOURCE_SPECS[type as ResourceType];
  const propertiesPath = at(path, 'Properties');
  const properties = object(definition.Properties, propertiesPath);
  for (const name of Object.keys(properties)) {
    if (spec.unsupported.includes(name)) {
      fail('TEMPLATE_UNSUPPORTED', at(propertiesPath, name), 'is not supported by this service; remove it');
    }
    if (!spec.properties.includes(name)) {
      fail(
        'TEMPLATE_INVALID',
        at(propertiesPath, name),
        `is not a ${type} property; use ${spec.properties.join(', ')}`,
      );
    }
  }
  const written = Object.keys(properties);
  const certain = written.filter((name) => !mayBeNoValue(properties[name] ?? null));
  checkPresence(spec, written, propertiesPath, false, certain);
  const condition = definition.Condition;
  if (condition !== undefined && typeof condition !== 'string') {
    fail('TEMPLATE_INVALID', at(path, 'Condition'), 'must be the name of a condition');
  }
  const overridesPath = at(path, 'OverrideSettings');
  const overrides = definition.OverrideSettings;
  if (overrides !== undefined && Object.keys(spec.overrides).length === 0) {
    fail('TEMPLATE_INVALID', overridesPath, `${type} has no OverrideSettings; remove them`);
  }
  return defined({
    Type: type as ResourceType,
    Properties: properties,
    Condition: condition,
    OverrideSettings:
      overrides === undefined
        ? undefined
        : mapObject(overrides, overridesPath, (action, name, actionPath): OverrideAction => {
            const allowed = Object.hasOwn(spec.overrides, name) ? spec.overrides[name] : undefined;
            if (allowed === undefined) {
              const names = Object.keys(spec.overrides).join(', ');
              return fail(
                'TEMPLATE_INVALID',
                actionPath,
                `is not an override setting of ${type}; use ${names}`,
              );
            }
            if (!allowed.includes(action as OverrideAction)) {
              return fail(
                'TEMPLATE_INVALID',
                actionPath,
                `${describe(action)} is not allowed; use ${allowed.join(', ')}`,
              );
            }
            return action as OverrideAction;
          }),
  });
}

function mappingValue(value: Json, _key: string, path: string): MappingValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return fail(
    'TEMPLATE_INVALID',
    path,
    `must be a string or a list of strings, not ${describe(value)} (Mappings cannot use functions)`,
  );
}

/** AWS IoT: at most one thing and one certificate; any number of policies. */
function checkResourceCounts(resources: Record<string, ResourceDefinition>): void {
  for (const type of ['AWS::IoT::Thing', 'AWS::IoT::Certificate'] as const) {
    const ids = Object.keys(resources).filter((id) => resources[id]?.Type === type);
    if (ids.length > 1) {
      fail(
        'TEMPLATE_INVALID',
        'Resources',
        `declares ${ids.join(', ')}, but a template can declare only one ${type}`,
      );
    }
  }
  if (Object.keys(resources).length === 0) fail('TEMPLATE_INVALID', 'Resources', 'declares no resource');
}

/** Every name referred to exists, every function is well formed, and conditions do not loop. */
function checkExpressions(template: AwsTemplate): void {
  const conditions = template.Conditions ?? {};
  for (const [name, condition] of Object.entries(conditions)) {
    checkExpression(condition, at('Conditions', name), 'condition', template);
  }
  // Each condition's depth, counting the conditions it refers to: evaluation recurses through them.
  const depths = new Map<string, number | 'visiting'>();
  const visit = (name: string, trail: string[]): number => {
    const known = depths.get(name);
    if (typeof known === 'number') return known;
    if (known === 'visiting') {
      const loop = [...trail.slice(trail.indexOf(name)), name].join(' -> ');
      fail(
        'TEMPLATE_CONDITION_INVALID',
        at('Conditions', name),
        `conditions refer to each other in a loop (${loop}); break it`,
      );
    }
    if (trail.length >= MAX_NESTING) {
      fail(
        'TEMPLATE_TOO_DEEP',
        at('Conditions', trail[0] ?? name),
        `conditions refer to each other more than ${MAX_NESTING} deep (${trail.slice(0, 3).join(' -> ')} -> …); flatten them`,
      );
    }
    depths.set(name, 'visiting');
    const condition = conditions[name] ?? null;
    let depth = nesting(condition);
    for (const [next, level] of conditionReferences(condition)) {
      depth = Math.max(depth, level + visit(next, [...trail, name]));
    }
    if (depth > MAX_NESTING) {
      fail(
        'TEMPLATE_TOO_DEEP',
        at('Conditions', name),
        `with the conditions it refers to, is nested more than ${MAX_NESTING} levels deep; flatten it`,
      );
    }
    depths.set(name, depth);
    return depth;
  };
  for (const name of Object.keys(conditions)) visit(name, []);

  for (const [id, { Condition, Properties }] of Object.entries(template.Resources)) {
    const path = at('Resources', id);
    if (Condition !== undefined) requireCondition(template, Condition, at(path, 'Condition'));
    checkExpression(Properties, at(path, 'Properties'), 'property', template);
  }
  if (template.DeviceConfiguration !== undefined) {
    checkExpression(template.DeviceConfiguration, 'DeviceConfiguration', 'property', template);
  }
}

/** Refuses what no template may hold (see `shapeProblems`), naming where it is. */
function checkShape<T>(value: T): T {
  const [problem] = shapeProblems(value, 1);
  if (problem !== undefined) {
    fail(
      problem.kind === 'too-deep' ? 'TEMPLATE_TOO_DEEP' : 'TEMPLATE_INVALID',
      pathOf(problem.path),
      problem.problem,
    );
  }
  return value;
}

/** Levels of JSON in `node`: 0 for a scalar, 1 for a flat list or object. */
function nesting(node: Json): number {
  if (!Array.isArray(node) && !isObject(node)) return 0;
  return 1 + Object.values(node).reduce<number>((deepest, child) => Math.max(deepest, nesting(child)), 0);
}

/** A parsed section's entries, each converted; undefined when the section is absent. */
function section<T>(
  raw: JsonObject,
  name: string,
  convert: (value: Json, key: string, path: string) => T,
): Record<string, T> | undefined {
  return raw[name] === undefined ? undefined : mapObject(raw[name], name, convert);
}

function mapObject<T>(
  value: Json,
  path: string,
  convert: (value: Json, key: string, path: string) => T,
): Record<string, T> {
  return Object.fromEntries(
    Object.entries(object(value, path)).map(([key, child]) => [key, convert(child, key, at(path, key))]),
  );
}

function object(value: Json | undefined, path: string, what = 'must be an object'): JsonObject {
  return isObject(value) ? value : fail('TEMPLATE_INVALID', path, `${what}, not ${describe(value)}`);
}

function onlyKeys(value: JsonObject, path: string, allowed: readonly string[], problem: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      fail('TEMPLATE_INVALID', at(path, key), `${problem}; use ${allowed.join(', ')}`);
  }
}

/** An already parsed template, copied so the result is plain JSON its caller cannot change later. */
function plainJson(value: unknown): Json {
  try {
    return JSON.parse(JSON.stringify(value)) as Json;
  } catch (e: unknown) {
    throw new TemplateError('TEMPLATE_INVALID', '', 'is not representable as JSON', { cause: e });
  }
}
