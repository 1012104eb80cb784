import type { ProvisionRequest } from './request.js';

/**
 * The checks a request must pass before a task is recorded (the template, the device its
 * parameters describe, its certificate mode's inputs), as a port: submission here depends on it; the provisioning layer
 * implements it (provisioning/admission.ts) and the composition roots wire the two together.
 */
export interface Admission {
  /**
   * Throws the InvalidInputError that says what to fix; answers the template version the request
   * was checked against, which its task then runs (undefined when the bucket keeps no versions).
   * `skipParameterCheck`: the template parameters come later, so the device they describe is not
   * checked here (bulk lines are checked one by one, as they become devices).
   */
  admit(request: ProvisionRequest, options?: { skipParameterCheck?: boolean }): Promise<Admitted>;
}

export interface Admitted {
  templateVersion: string | undefined;
}
