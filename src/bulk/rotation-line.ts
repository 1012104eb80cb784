import { IOT } from '../templates/iot-constraints.js';
import { ThingNameInvalidError } from '../things/errors.js';
import type { ProvisionRequest } from '../tasks/request.js';
import { CERTIFICATE_ID, type Rotation } from '../tasks/rotation.js';
import type { InputLine } from './input-line.js';
import type { LineProblem, LineVerdict } from './line-check.js';
import type { FleetRotation } from './model.js';

/** The columns of a fleet rotation's line: the thing, and optionally the certificate to replace. */
export const ROTATION_COLUMNS = { thing: 'ThingName', certificate: 'CertificateId' } as const;

/**
 * The port through which a fleet rotation's line becomes its device's rotation, resolved as
 * `POST /things/{thingName}/certificates/rotations` resolves one (src/rotation/fleet-lines.ts):
 * the provisioning request and rotation its task runs, or why this thing cannot be rotated
 * (no such thing, no current certificate, several, a mode that does not fit). Reads only.
 */
export interface RotationLines {
  resolve(
    fleet: FleetRotation,
    line: { thingName: string; certificateId?: string },
  ): Promise<{ request: ProvisionRequest; rotation: Rotation } | { problem: LineProblem }>;
}

/**
 * A fleet rotation's line before anything is read from AWS IoT: a thing name AWS IoT accepts,
 * and a well-formed certificate id when the line names one. Other columns are ignored, so a
 * factory line's own CSV (ThingName, SerialNumber, …) can be handed over as it is.
 */
export function rotationLineVerdict(line: InputLine): LineVerdict {
  if ('error' in line) return { problem: { code: 'BULK_LINE_INVALID', message: line.error } };
  const thingName = line.parameters[ROTATION_COLUMNS.thing];
  const certificateId = line.parameters[ROTATION_COLUMNS.certificate];
  if (thingName === undefined || thingName === '')
    return {
      problem: {
        code: 'BULK_LINE_INVALID',
        message: `The line has no ${ROTATION_COLUMNS.thing}: the thing to rotate`,
      },
    };
  if (!IOT.thingName.pattern.test(thingName)) {
    const { code, message } = new ThingNameInvalidError(thingName);
    return { problem: { code, message } };
  }
  if (certificateId !== undefined && certificateId !== '' && !CERTIFICATE_ID.test(certificateId))
    return {
      problem: {
        code: 'CERTIFICATE_ID_INVALID',
        message: `'${certificateId.slice(0, 80)}' is not a certificate id (64 lower-case hex digits)`,
      },
    };
  return { parameters: line.parameters, thingName, undeclared: [] };
}
