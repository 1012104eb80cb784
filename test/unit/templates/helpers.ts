import { expect } from '@jest/globals';
import {
  createCsr,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
} from '../../../src/certificates/index.js';
import { createSelfSignedCa } from '../../../src/provisioning/ca/self-signed-ca.js';
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

const caKey = await generateDeviceKeyPair('EC-P256');
const deviceKey = await generateDeviceKeyPair('EC-P256');
const caPem = createSelfSignedCa(caKey.privateKeyPem, { country: 'DE', commonName: 'test CA' }, { days: 60 });

/** Real PEMs for certificate properties, which expansion reads as strictly as the CDF modes do. */
export const CERTIFICATES = {
  caPem,
  /** A device certificate `caPem` signed. */
  pem: issueDeviceCertificate(loadCaSigner(caPem, caKey.privateKeyPem), {
    publicKey: deviceKey.publicKeyPem,
    subject: { country: 'DE', commonName: 'device-1' },
    days: 30,
  }),
  csr: createCsr(deviceKey.privateKeyPem, { country: 'DE', commonName: 'device-1' }),
};

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
