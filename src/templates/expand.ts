import { TemplateError } from './errors.js';
import { asBoolean, evaluate, type Scope } from './intrinsics.js';
import { at, describe, isObject, type JsonObject } from './json.js';
import { pseudoParameter, resolveParameters } from './parameters.js';
import {
  checkPresence,
  expandCertificate,
  expandPolicy,
  expandThing,
  RESOURCE_SPECS,
  type Origin,
} from './resources.js';
import type { AwsTemplate, ExpandedTemplate, ExpansionContext, ParsedTemplate } from './types.js';

/**
 * What a template provisions for one device: parameters resolved (injected by a certificate mode,
 * else sent, else AWS IoT's, else Default) and checked, resources whose Condition is false left
 * out, every property evaluated and checked against what AWS IoT accepts (iot-constraints.ts); a
 * refused value names the parameters it came from.
 */
export function expandTemplate(
  parsed: ParsedTemplate,
  parameters: Readonly<Record<string, string>>,
  context: ExpansionContext,
): ExpandedTemplate {
  const template = parsed.aws;
  const refs: Ref[] = [];
  const scope = createScope(
    template,
    resolveParameters(template.Parameters ?? {}, parameters, context),
    context,
    refs,
  );
  const origin: Origin = (where, property) => {
    const within = (path: string) =>
      refs.filter(
        (ref) => ref.path === path || ref.path.startsWith(`${path}.`) || ref.path.startsWith(`${path}[`),
      );
    const found = within(where);
    return [...new Set((found.length > 0 ? found : within(property)).map((ref) => ref.name))];
  };
  const expanded: ExpandedTemplate = { policies: [] };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = at('Resources', id);
    if (resource.Condition !== undefined && !scope.condition(resource.Condition, at(path, 'Condition')))
      continue;
    const propertiesPath = at(path, 'Properties');
    const properties = evaluateObject(resource.Properties, propertiesPath, scope);
    checkPresence(RESOURCE_SPECS[resource.Type], Object.keys(properties), propertiesPath, true);
    const override = resource.OverrideSettings;
    switch (resource.Type) {
      case 'AWS::IoT::Thing':
        expanded.thing = expandThing(id, properties, propertiesPath, { override, origin });
        break;
      case 'AWS::IoT::Certificate':
        expanded.certificate = expandCertificate(id, properties, propertiesPath, { override, origin });
        break;
      case 'AWS::IoT::Policy':
        expanded.policies.push(expandPolicy(id, properties, propertiesPath, { origin }));
    }
  }
  if (template.DeviceConfiguration !== undefined) {
    const configuration = evaluateObject(template.DeviceConfiguration, 'DeviceConfiguration', scope);
    expanded.deviceConfiguration = Object.fromEntries(
      Object.entries(configuration).map(([key, value]) => {
        if (typeof value === 'string') return [key, value];
        const problem = `must be a string, not ${describe(value)}`;
        throw new TemplateError('TEMPLATE_PROPERTY_INVALID', at('DeviceConfiguration', key), problem);
      }),
    );
  }
  return expanded;
}

/** A parameter's value was used at `path` (a Ref or Fn::Sub there). */
interface Ref {
  path: string;
  name: string;
}

/** `refs` collects every declared parameter used, with where, for `Origin`. */
function createScope(
  template: AwsTemplate,
  values: ReadonlyMap<string, string>,
  context: ExpansionContext,
  refs: Ref[],
): Scope {
  const conditions = new Map<string, boolean>();
  const scope: Scope = {
    template,
    ref(name, path) {
      const declared = values.get(name);
      if (declared !== undefined) {
        refs.push({ path, name });
        return declared;
      }
      const value = pseudoParameter(name, context);
      if (value !== undefined) return value;
      throw new TemplateError(
        'TEMPLATE_PARAMETER_MISSING',
        path,
        `${name} has no value here: AWS IoT supplies it only when the certificate it describes is known`,
      );
    },
    condition(name, path) {
      let result = conditions.get(name);
      if (result === undefined) {
        const conditionPath = at('Conditions', name);
        const declared = template.Conditions ?? {};
        const condition = Object.hasOwn(declared, name) ? declared[name] : undefined;
        if (condition === undefined) {
          throw new TemplateError('TEMPLATE_REFERENCE_UNKNOWN', path, `no condition named "${name}"`);
        }
        result = asBoolean(evaluate(condition, conditionPath, scope, 'condition'), conditionPath);
        conditions.set(name, result);
      }
      return result;
    },
  };
  return scope;
}

function evaluateObject(node: JsonObject, path: string, scope: Scope): JsonObject {
  const value = evaluate(node, path, scope);
  // A plain object's entries are evaluated one by one, so the result is an object again.
  if (!isObject(value))
    throw new TemplateError('TEMPLATE_INVALID', path, `must be an object, not ${describe(value)}`);
  return value;
}
