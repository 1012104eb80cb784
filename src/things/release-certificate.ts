import {
  DeleteCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { retryWhileAttached, type RetryPolicy } from './consistency-retry.js';
import { unlessGone } from '../aws/unless-gone.js';
import type { IotLists } from '../aws/iot-lists.js';

export interface CertificateToDelete {
  principal: string;
  certificateId: string;
  status: string;
}

/**
 * Removes a certificate that no other thing uses, in the order AWS IoT demands: deactivate (an
 * ACTIVE certificate cannot be deleted), detach its policies, detach it from the thing, delete.
 * The thing is detached as late as possible, so a failure before that leaves the certificate
 * attached and a repeated DELETE finds it again. Returns the names of the policies it had.
 */
export async function deleteCertificate(
  iot: IoTClient,
  lists: IotLists,
  thingName: string,
  certificate: CertificateToDelete,
  retry?: RetryPolicy,
): Promise<string[]> {
  const { principal, certificateId } = certificate;
  if (certificate.status === 'ACTIVE') {
    await unlessGone(() =>
      awsCall(`deactivating certificate ${certificateId}`, () =>
        iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })),
      ),
    );
  }
  const policies = (await unlessGone(() => lists.attachedPolicies(principal))) ?? [];
  for (const { policyName } of policies) {
    await unlessGone(() =>
      awsCall(`detaching policy '${policyName}' from certificate ${certificateId}`, () =>
        iot.send(new DetachPolicyCommand({ policyName, target: principal })),
      ),
    );
  }
  await detachPrincipal(iot, thingName, principal);
  await retryWhileAttached(
    `certificate ${certificateId}`,
    () =>
      unlessGone(() =>
        awsCall(`deleting certificate ${certificateId}`, () =>
          iot.send(new DeleteCertificateCommand({ certificateId })),
        ),
      ),
    retry,
  );
  return policies.map((p) => p.policyName);
}

export async function detachPrincipal(iot: IoTClient, thingName: string, principal: string): Promise<void> {
  await unlessGone(() =>
    awsCall(`detaching '${principal}' from thing '${thingName}'`, () =>
      iot.send(new DetachThingPrincipalCommand({ thingName, principal })),
    ),
  );
}
