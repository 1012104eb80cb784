import { expect } from '@jest/globals';
import {
  expandTemplate,
  parseTemplate,
  TemplateError,
  type ExpandedTemplate,
  type ExpansionContext,
  type Json,
  type JsonObject,
  type TemplateErrorCode,
} from '../../../src/templates/index.js';

export const CONTEXT: ExpansionContext = { region: 'eu-west-1', accountId: '123456789012' };

/** A thing-only template whose DeviceConfiguration shows what `expression` evaluates to. */
export function probe(expression: Json, sections: JsonObject = {}): JsonObject {
  return {
    ...sections,
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'device-1' } },
    },
    DeviceConfiguration: { out: expression },
  };
}

export function expand(
  template: unknown,
  parameters: Record<string, string> = {},
  context: ExpansionContext = CONTEXT,
): ExpandedTemplate {
  return expandTemplate(parseTemplate(template), parameters, context);
}

/** What a probe's expression evaluates to. */
export function evaluateProbe(
  expression: Json,
  sections: JsonObject = {},
  parameters: Record<string, string> = {},
  context: ExpansionContext = CONTEXT,
): string | undefined {
  return expand(probe(expression, sections), parameters, context).deviceConfiguration?.out;
}

/** Asserts that `run` throws a TemplateError with this code whose message starts with `path`. */
export function expectTemplateError(
  run: () => unknown,
  code: TemplateErrorCode,
  path: string,
  says?: RegExp,
): TemplateError {
  let thrown: unknown;
  try {
    run();
  } catch (e: unknown) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TemplateError);
  const error = thrown as TemplateError;
  expect({ code: error.code, path: error.path }).toEqual({ code, path });
  expect(error.message.startsWith(`${path === '' ? 'template' : path}: `)).toBe(true);
  expect(error.kind).toBe('invalid');
  if (says !== undefined) expect(error.message).toMatch(says);
  return error;
}
