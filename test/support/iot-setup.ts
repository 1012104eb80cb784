import {
  CreateKeysAndCertificateCommand,
  UpdateCertificateCommand,
  type CertificateStatus,
  type IoTClient,
} from '@aws-sdk/client-iot';

/** Makes registry state directly, as another tool would, for tests about what the service finds. */

/** A new AWS-made certificate in the given status. */
export async function certificateWithStatus(
  iot: IoTClient,
  status: CertificateStatus = 'ACTIVE',
): Promise<{ id: string; arn: string }> {
  const out = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const id = String(out.certificateId);
  // moto sets any status; on AWS these come from registration, transfer and revocation.
  if (status !== 'ACTIVE')
    await iot.send(new UpdateCertificateCommand({ certificateId: id, newStatus: status }));
  return { id, arn: String(out.certificateArn) };
}
