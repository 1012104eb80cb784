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

See the device in the (emulated) IoT registry: thing, certificates, policies, groups:
  curl -s ${apiUrl}/things/pump-0001

Enrol devices in bulk, then follow the task and read every device's result:
  curl -s -X POST ${apiUrl}/bulkthings ${json} \\
    -d '{"provisioningTemplateId":"aws-certificate","parameters":[{"ThingName":"line7-1"},{"ThingName":"line7-2"}]}'
  curl -s ${apiUrl}/bulkthings/<taskId>
  curl -s ${apiUrl}/bulkthings/<taskId>/results

Templates: curl -s ${apiUrl}/templates    API description: curl -s ${apiUrl}/openapi.json
Health: curl -s ${apiUrl}/health/ready    Metrics (Prometheus): curl -s ${apiUrl}/metrics
Events: every one is on the results queue; subscribe your own queue: README.md, "Events".
Every certificate mode, with copyable requests: README.md, "Certificate modes".

Press Ctrl-C to stop.
`;
}
