import { AttachThingPrincipalCommand } from '@aws-sdk/client-iot';
import { awsCall } from '../../aws/classify-error.js';
import type { ProvisioningContext } from '../context.js';

/** Both attach calls are idempotent in AWS IoT, so a redelivery simply repeats them. */
export async function attachCertificateToThing(
  ctx: ProvisioningContext,
  thingName: string,
  certificateArn: string,
): Promise<void> {
  await awsCall(`attaching the certificate to thing '${thingName}'`, () =>
    ctx.iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn })),
  );
}
