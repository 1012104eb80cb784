/** What `npm start` prints once everything is up: copyable requests against this instance. */
export function usage(apiUrl: string, endpoint: string | undefined): string {
  const json = `-H 'Content-Type: application/json'`;
  return `
Provisioning service is running.
  API:          ${apiUrl}
  AWS emulator: ${endpoint ?? '(real AWS)'}

Provision a device (AWS-made certificate), waiting up to 10 s for the result:
  curl -s -X POST ${apiUrl}/things ${json} -H 'Prefer: wait=10' \\
    -d '{"provisioningTemplateId":"aws-certificate","parameters":{"ThingName":"pump-0001","SerialNumber":"SN-0001"}}'

Or submit and poll:
  curl -s -X POST ${apiUrl}/things ${json} -H 'Idempotency-Key: order-42' \\
    -d '{"provisioningTemplateId":"aws-certificate","parameters":{"ThingName":"pump-0002"}}'
  curl -s ${apiUrl}/provisioningtasks/<taskId>

See the device in the emulated IoT registry:
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url ${endpoint ?? '<endpoint>'} \\
    --region us-east-1 iot describe-thing --thing-name pump-0001

Press Ctrl-C to stop.
`;
}
