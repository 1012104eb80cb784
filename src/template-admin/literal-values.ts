import { TemplateError } from '../templates/errors.js';
import { evaluate, NO_VALUE, type Scope } from '../templates/intrinsics.js';
import { at, describe, type Json, type JsonObject } from '../templates/json.js';
import { expandCertificate, expandPolicy, expandThing } from '../templates/resources.js';
import type { AwsTemplate, ResourceType } from '../templates/types.js';

/** Thrown while evaluating a value that depends on a parameter or a condition. */
class DependsOnRequest extends Error {}

/** Stands in for a required property whose value only a request decides. */
const PLACEHOLDERS: Partial<Record<ResourceType, JsonObject>> = {
  'AWS::IoT::Thing': { ThingName: 'placeholder' },
};

/**
 * `parseTemplate` checks a template's structure; AWS's rules for property values are applied
 * when it is expanded for a device. Values written out in the template itself (a thing name with
 * a space, a policy document that is not JSON, a status of "ENABLED") would fail every device, so
 * a template is refused for them when it is stored. Each property is evaluated on its own: one
 * that depends on a parameter or condition is left to expansion time.
 */
export function checkLiteralValues(template: AwsTemplate): void {
  const scope: Scope = {
    template,
    ref: () => {
      throw new DependsOnRequest();
    },
    condition: () => {
      throw new DependsOnRequest();
    },
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = at(at('Resources', id), 'Properties');
    const known: JsonObject = {};
    for (const [name, node] of Object.entries(resource.Properties)) {
      const value = literal(node, at(path, name), scope);
      if (value !== undefined) known[name] = value;
    }
    Object.assign(known, { ...PLACEHOLDERS[resource.Type], ...known });
    // Two mutually exclusive properties that are both always set were refused when it was parsed.
    if (resource.Type === 'AWS::IoT::Thing') expandThing(id, known, path);
    if (resource.Type === 'AWS::IoT::Certificate') expandCertificate(id, known, path);
    if (resource.Type === 'AWS::IoT::Policy') expandPolicy(id, known, path);
  }
  for (const [key, node] of Object.entries(template.DeviceConfiguration ?? {})) {
    const path = at('DeviceConfiguration', key);
    const value = literal(node, path, scope);
    if (value !== undefined && typeof value !== 'string') {
      throw new TemplateError('TEMPLATE_PROPERTY_INVALID', path, `must be a string, not ${describe(value)}`);
    }
  }
}

/** The value, when the template alone decides it; undefined when a request does, or it is AWS::NoValue. */
function literal(node: Json, path: string, scope: Scope): Json | undefined {
  try {
    const value = evaluate(node, path, scope);
    return value === NO_VALUE ? undefined : value;
  } catch (e: unknown) {
    if (e instanceof DependsOnRequest) return undefined;
    throw e;
  }
}
