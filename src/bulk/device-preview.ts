import { generateKeyPairSync } from 'node:crypto';
import { checkCertificatePem } from '../certificates/index.js';
import { InvalidInputError } from '../errors.js';
import { createSelfSignedCa } from '../provisioning/ca/self-signed-ca.js';
import type { CdfProvisioningParameters } from '../tasks/request.js';
import { CERTIFICATE_MODE_INJECTS, type CertificateModeName } from '../templates/cdf-block.js';
import { expandTemplate } from '../templates/expand.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import type { ExpandedTemplate } from '../templates/types.js';

/**
 * The device a bulk line describes, worked out before anything is made: what AWS IoT would refuse
 * in it (`deviceProblem`), and the thing it names (`thingNameOf`), from the template expanded with
 * the line's parameters and stand-ins for what the certificate mode will inject.
 *
 * `deviceProblem` has the signature of admission's per-line check (src/provisioning/device-check.ts
 * on the admission branch, with its stand-ins in certificate-modes/stand-ins.ts): this file is the
 * thin part of it the bulk runners need until that is merged, and is to be replaced by it.
 */
export type DeviceCheck = (
  template: LoadedTemplate,
  cdfParameters: CdfProvisioningParameters | undefined,
  parameters: Readonly<Record<string, string>>,
) => InvalidInputError | undefined;

export interface PreviewContext {
  region: string;
}

const STAND_IN_ACCOUNT_ID = '000000000000';
const DAY_MS = 86_400_000;
let standIn: { pem: string; certificateId: string; madeAt: number } | undefined;

/** What AWS IoT would refuse in the device these parameters describe, or undefined. */
export function deviceProblem(
  template: LoadedTemplate,
  cdfParameters: CdfProvisioningParameters | undefined,
  parameters: Readonly<Record<string, string>>,
  context: PreviewContext,
): InvalidInputError | undefined {
  const expanded = expand(template, cdfParameters, parameters, context);
  return expanded instanceof InvalidInputError ? expanded : undefined;
}

/** The thing the device would be, or undefined (no thing in the template, or a device problem). */
export function thingNameOf(
  template: LoadedTemplate,
  cdfParameters: CdfProvisioningParameters | undefined,
  parameters: Readonly<Record<string, string>>,
  context: PreviewContext,
): string | undefined {
  const expanded = expand(template, cdfParameters, parameters, context);
  return expanded instanceof InvalidInputError ? undefined : expanded.thing?.thingName;
}

function expand(
  template: LoadedTemplate,
  cdfParameters: CdfProvisioningParameters | undefined,
  parameters: Readonly<Record<string, string>>,
  context: PreviewContext,
): ExpandedTemplate | InvalidInputError {
  const missing = template.callerParameters.filter((name) => !Object.hasOwn(parameters, name));
  if (missing.length > 0)
    return new InvalidInputError(
      'TEMPLATE_PARAMETER_MISSING',
      `The template needs parameter(s) ${missing.join(', ')}: send them in 'parameters'`,
    );
  try {
    const mode = template.certificateMode;
    const injected = mode === undefined ? {} : standInParameters(mode, cdfParameters, context.region);
    // As the worker does: what the mode injects wins over a line's value of the same name.
    return expandTemplate(
      template.parsed,
      { ...parameters, ...injected },
      { region: context.region, accountId: STAND_IN_ACCOUNT_ID, certificateId: injected.CertificateId },
    );
  } catch (e: unknown) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
}

/**
 * What a certificate mode will inject: the caller's own certificate where the request holds one
 * (registerDeviceCertificateWithoutCA), otherwise a real, current stand-in certificate (made once
 * a day, its key thrown away), so a template's certificate properties pass the worker's checks.
 */
function standInParameters(
  mode: CertificateModeName,
  cdfParameters: CdfProvisioningParameters | undefined,
  region: string,
): Record<string, string> {
  const own = mode === 'registerDeviceCertificateWithoutCA' ? cdfParameters?.certificatePem : undefined;
  const { pem, certificateId } =
    own === undefined
      ? standInCertificate()
      : { pem: own, certificateId: checkCertificatePem(own).certificateId };
  const values: Record<string, string> = {
    CertificateId: certificateId,
    CertificateArn: `arn:aws:iot:${region}:${STAND_IN_ACCOUNT_ID}:cert/${certificateId}`,
    CertificatePem: pem,
    CaCertificatePem: pem,
  };
  return Object.fromEntries(CERTIFICATE_MODE_INJECTS[mode].map((name) => [name, values[name] ?? '']));
}

function standInCertificate(now = Date.now()): { pem: string; certificateId: string } {
  if (standIn === undefined || now - standIn.madeAt > DAY_MS) {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const pem = createSelfSignedCa(
      privateKey,
      { country: 'US', commonName: 'stand-in' },
      { days: 2, now: new Date(now) },
    );
    standIn = { pem, certificateId: checkCertificatePem(pem).certificateId, madeAt: now };
  }
  return standIn;
}
