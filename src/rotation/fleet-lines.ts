import { classifyAwsError } from '../aws/classify-error.js';
import type { RotationLines } from '../bulk/rotation-line.js';
import { resolveRotation, type ResolveDeps } from './resolve-rotation.js';
import type { RotationRequest } from './schemas.js';

/**
 * Resolves each line of a fleet rotation as `POST /things/{thingName}/certificates/rotations`
 * resolves one request, with the fleet's settings: what a single rotation would answer with a 4xx
 * (no such thing, nothing or several things to replace, a mode that does not fit) fails the line
 * with that code and message; a throttled or failing call is retried with the chunk.
 */
export function fleetRotationLines(deps: ResolveDeps): RotationLines {
  return {
    async resolve(fleet, line) {
      // A rotation's new certificate is always ACTIVE: the status is not the fleet's to choose.
      const { certificateStatus: _, ...parameters } = fleet.cdfProvisioningParameters ?? {};
      const body: RotationRequest = {
        ...(line.certificateId !== undefined ? { certificateId: line.certificateId } : {}),
        ...(fleet.mode !== undefined ? { mode: fleet.mode } : {}),
        ...(Object.keys(parameters).length > 0 ? { cdfProvisioningParameters: parameters } : {}),
      };
      try {
        const { rotation, request } = await resolveRotation(line.thingName, body, deps);
        return { request, rotation: { ...rotation, retire: fleet.retire } };
      } catch (e: unknown) {
        const error = classifyAwsError(e, `reading thing '${line.thingName}' to rotate its certificate`);
        if (error.kind === 'transient' || error.kind === 'internal') throw error;
        return { problem: { code: error.code, message: error.message } };
      }
    },
  };
}
