import { DescribeThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { unlessGone } from '../aws/unless-gone.js';
import type { BulkTask, FleetRotation, FleetSelection } from '../bulk/model.js';
import { submitBulkTask, type BulkLines, type SubmitBulkDeps } from '../bulk/submit-bulk.js';
import type { ModeChecks } from '../provisioning/certificate-modes/certificate-mode.js';
import type { Rotation } from '../tasks/rotation.js';
import { checkThingName } from '../things/thing-name.js';
import { FleetRotationError, ThingGroupNotFoundError } from './errors.js';
import { ROTATION_TEMPLATE_ID, checkParametersFit, retireAfter } from './resolve-rotation.js';
import { DEFAULT_RETIRE, type FleetRotationRequest } from './schemas.js';
import { checkMode } from './submit-rotation.js';

export interface FleetSubmitDeps extends SubmitBulkDeps {
  iot: IoTClient;
  /** The certificate modes' submit-time checks, run when the request names the CA. */
  checks: ModeChecks;
}

/**
 * Accepts `POST /certificates/rotations`: a bulk task whose every line rotates one thing's
 * certificate (src/bulk/run-chunk.ts resolves each line as a single rotation is resolved), so it
 * has the bulk engine's progress, per-device results, cancel, retry, exact counts and share of
 * the IoT request budget. Refused now, before anything is recorded: no selection or two, a mode
 * that needs something from each device (a CSR, a PEM), parameters without the mode they are
 * for or that it does not read, a thing group AWS IoT does not have, a bad thing name, and a CA
 * named by the request that cannot sign.
 */
export async function submitFleetRotation(
  body: FleetRotationRequest,
  options: { idempotencyKey?: string; client?: string },
  deps: FleetSubmitDeps,
): Promise<{ task: BulkTask; created: boolean }> {
  const { selection, lines } = selectionOf(body);
  const { mode, cdfProvisioningParameters: parameters } = body;
  if (mode === 'aws-csr' || mode === 'registered') {
    throw new FleetRotationError(
      'FLEET_ROTATION_MODE_PER_DEVICE',
      `Mode ${mode} needs each device's own ${mode === 'aws-csr' ? 'CSR' : 'certificate'}: rotate those ` +
        'devices one by one (POST /things/{thingName}/certificates/rotations)',
    );
  }
  if (parameters !== undefined && Object.keys(parameters).length > 0) {
    if (mode === undefined) {
      throw new FleetRotationError(
        'FLEET_PARAMETERS_NEED_MODE',
        'cdfProvisioningParameters apply to one certificate mode: send mode too (own-ca or acm-pca)',
      );
    }
    checkParametersFit(mode, parameters);
  }
  if (selection.kind === 'thingGroup') await checkGroup(selection.thingGroupName, deps.iot);
  const rotation: FleetRotation = {
    selection,
    ...(mode !== undefined ? { mode } : {}),
    ...(parameters !== undefined && Object.keys(parameters).length > 0
      ? { cdfProvisioningParameters: parameters }
      : {}),
    retire: retireAfter(body.retireOldCertificate ?? DEFAULT_RETIRE),
  };
  await checkNamedCa(rotation, deps.checks);
  return submitBulkTask(
    // Every line's thing exists with a certificate: that is what a rotation replaces.
    { provisioningTemplateId: ROTATION_TEMPLATE_ID, existingThings: 'provision', rotation, lines },
    options,
    deps,
  );
}

function selectionOf(body: FleetRotationRequest): { selection: FleetSelection; lines: BulkLines } {
  const given = (['thingGroupName', 'thingNames', 'inputFile', 'expiringWithinDays'] as const).filter(
    (field) => body[field] !== undefined,
  );
  if (given.length !== 1) {
    throw new FleetRotationError(
      'FLEET_SELECTION_INVALID',
      given.length === 0
        ? 'Say which things to rotate: thingGroupName, thingNames, inputFile or expiringWithinDays'
        : `Send one way of choosing the things, not ${given.join(' and ')}`,
    );
  }
  if (body.recursive !== undefined && body.thingGroupName === undefined) {
    throw new FleetRotationError('FLEET_SELECTION_INVALID', 'recursive goes with thingGroupName');
  }
  if (body.thingGroupName !== undefined) {
    const selection = {
      kind: 'thingGroup',
      thingGroupName: body.thingGroupName,
      recursive: body.recursive ?? false,
    } as const;
    return { selection, lines: { source: 'selection' } };
  }
  if (body.expiringWithinDays !== undefined) {
    return {
      selection: { kind: 'expiring', withinDays: body.expiringWithinDays },
      lines: { source: 'selection' },
    };
  }
  if (body.inputFile !== undefined) {
    return { selection: { kind: 'things' }, lines: { source: 'inputFile', inputFile: body.inputFile } };
  }
  const names = (body.thingNames ?? []).map(checkThingName);
  return {
    selection: { kind: 'things' },
    lines: { source: 'parameters', parameters: names.map((ThingName) => ({ ThingName })) },
  };
}

async function checkGroup(groupName: string, iot: IoTClient): Promise<void> {
  const found = await unlessGone(() =>
    awsCall(`reading thing group '${groupName}'`, () =>
      iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName })),
    ),
  );
  if (found === undefined) throw new ThingGroupNotFoundError(groupName);
}

/**
 * A CA the request names is checked once here, as a single rotation's is: every device would
 * fail on it otherwise. Without one, each device's CA comes from its inventory record, and a
 * device whose CA cannot sign fails on its own.
 */
async function checkNamedCa(fleet: FleetRotation, checks: ModeChecks): Promise<void> {
  const parameters = fleet.cdfProvisioningParameters ?? {};
  const namesCa =
    fleet.mode === 'own-ca'
      ? parameters.caId !== undefined
      : fleet.mode === 'acm-pca' &&
        [
          parameters.acmpcaCaArn,
          parameters.acmpcaCaAlias,
          parameters.amcpcaCaArn,
          parameters.amcpcaCaAlias,
        ].some((v) => v !== undefined);
  if (fleet.mode === undefined || !namesCa) return;
  // The certificate part of a rotation's template is the same for every thing of the fleet.
  const shape: Rotation = {
    thingName: 'fleet',
    replaces: { certificateId: '', certificateArn: '' },
    mode: fleet.mode,
    ...(fleet.mode === 'acm-pca'
      ? {
          acmpcaMode:
            parameters.awsiotCaArn !== undefined || parameters.awsiotCaAlias !== undefined
              ? 'REGISTER_WITH_CA'
              : 'REGISTER_WITHOUT_CA',
        }
      : {}),
    policies: [],
    retire: fleet.retire,
  };
  // Each device's subject comes from its current certificate unless the request sets one; the
  // check is of the CA, so a stand-in subject is enough for it.
  const certInfo = parameters.certInfo ?? { country: 'US' };
  await checkMode(
    shape,
    {
      provisioningTemplateId: ROTATION_TEMPLATE_ID,
      parameters: {},
      cdfProvisioningParameters: { ...parameters, certInfo },
    },
    checks,
  );
}
