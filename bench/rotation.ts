import { AddThingToThingGroupCommand, CreateThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot';
import { cpus, loadavg } from 'node:os';
import { rowOf, type Row } from './call-counts.js';
import { countedStack, type CountedStack } from './counted-stack.js';

/**
 * Fleet rotation against fresh provisioning of the same devices, in one run on one emulator:
 *  1. N devices provisioned fresh by one bulk task (`aws-certificate`: thing, AWS-made key and
 *     certificate, a policy), timed submit → Completed, every request counted;
 *  2. those N things put in a thing group (not timed), then rotated by one fleet rotation
 *     (`POST /certificates/rotations`, mode `aws`, the old certificate retired at once), timed and
 *     counted the same way;
 *  3. again, rotated with the default grace period (7 days: the retirement is only scheduled).
 * Rounds alternate fresh and rotation, so a change in the machine's load falls on both. Printed:
 * devices/s of each and their ratio, and the IoT calls per device by operation against the
 * minimal set a rotation needs.
 *
 *   npx tsx bench/rotation.ts [devices=200] [rounds=2]
 */
const devices = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 2);
const stack = countedStack({ BULK_CHUNK_SIZE: '25', BULK_CHUNKS_IN_FLIGHT: '4' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stack.stop().finally(() => process.exit(130));
  });
}

/**
 * The fewest IoT calls a rotation of one AWS-made certificate with one policy can make: find the
 * current certificate (ListThingPrincipals, DescribeCertificate) and its policies
 * (ListAttachedPolicies), make the new one (CreateKeysAndCertificate), give it the policy and the
 * thing (AttachPolicy, AttachThingPrincipal); retiring at once adds the check that no other
 * thing uses the old certificate (ListPrincipalThings), DetachThingPrincipal and UpdateCertificate.
 */
const MINIMAL = { scheduled: 6, now: 9 };

interface Run {
  kind: string;
  seconds: number;
  row: Row;
}

try {
  const s = await stack.start();
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    const prefix = `rot${round}-${Date.now().toString(36)}`;
    const names = Array.from({ length: devices }, (_, i) => `${prefix}-${i}`);
    runs.push(
      await measured(s, 'fresh provisioning', {
        path: '/bulkthings',
        body: {
          provisioningTemplateId: 'aws-certificate',
          parameters: names.map((ThingName) => ({ ThingName })),
        },
      }),
    );
    const group = await groupOf(s.clients.iot, prefix, names);
    runs.push(
      await measured(s, 'fleet rotation, retire now', {
        path: '/certificates/rotations',
        body: { thingGroupName: group, mode: 'aws', retireOldCertificate: 'now' },
      }),
    );
    runs.push(
      await measured(s, 'fleet rotation, retire in 7 days', {
        path: '/certificates/rotations',
        body: { thingGroupName: group, mode: 'aws' },
      }),
    );
  }
  process.stdout.write(report(runs));
} finally {
  await stack.stop();
}

/** Submits one bulk task, follows it to its end, and counts every request the emulator received. */
async function measured(
  s: CountedStack,
  kind: string,
  submit: { path: string; body: unknown },
): Promise<Run> {
  s.proxy.reset();
  s.proxy.counting = true;
  const started = performance.now();
  const res = await fetch(`${s.api}${submit.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(submit.body),
  });
  const task = (await res.json()) as { taskId?: string; code?: string; message?: string };
  if (res.status !== 202 || task.taskId === undefined)
    throw new Error(`${kind}: HTTP ${res.status} ${JSON.stringify(task)}`);
  const done = await finished(s.api, task.taskId);
  const seconds = (performance.now() - started) / 1000;
  s.proxy.counting = false;
  if (done.status !== 'Completed' || done.successCount !== devices)
    throw new Error(`${kind}: ended ${JSON.stringify(done)}`);
  process.stderr.write(
    `${kind}: ${devices} devices in ${seconds.toFixed(1)} s (load ${loadavg()[0]?.toFixed(1)})\n`,
  );
  return { kind, seconds, row: rowOf(kind, s.proxy.counts(), s.proxy.writeUnits(), devices) };
}

async function finished(api: string, taskId: string): Promise<{ status: string; successCount: number }> {
  for (;;) {
    const view = (await (await fetch(`${api}/bulkthings/${taskId}`)).json()) as {
      status: string;
      successCount: number;
    };
    if (!['Pending', 'InProgress'].includes(view.status)) return view;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function groupOf(iot: IoTClient, prefix: string, names: string[]): Promise<string> {
  const thingGroupName = `${prefix}-group`;
  await iot.send(new CreateThingGroupCommand({ thingGroupName }));
  for (let i = 0; i < names.length; i += 8)
    await Promise.all(
      names
        .slice(i, i + 8)
        .map((thingName) => iot.send(new AddThingToThingGroupCommand({ thingGroupName, thingName }))),
    );
  return thingGroupName;
}

function report(runs: Run[]): string {
  const rate = (r: Run) => devices / r.seconds;
  const mean = (kind: string) => {
    const of = runs.filter((r) => r.kind === kind);
    return of.reduce((sum, r) => sum + rate(r), 0) / of.length;
  };
  const fresh = mean('fresh provisioning');
  const kinds = [...new Set(runs.map((r) => r.kind))];
  const lines = [
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${devices} devices, ${rounds} round(s)`,
    '',
    '| run | devices/s (each round) | mean | against fresh | IoT calls/device | DynamoDB writes/device | write units/device |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...kinds.map((kind) => {
      const of = runs.filter((r) => r.kind === kind);
      const last = of[of.length - 1]?.row;
      return `| ${kind} | ${of.map((r) => rate(r).toFixed(2)).join(', ')} | ${mean(kind).toFixed(2)} | ${(mean(kind) / fresh).toFixed(2)}× | ${last?.iot ?? '?'} | ${last?.dynamoWrites ?? '?'} | ${last?.writeUnits ?? '?'} |`;
    }),
    '',
    'IoT calls per device by operation (last round):',
    '',
    ...kinds.map((kind) => {
      const row = runs.filter((r) => r.kind === kind).pop()?.row;
      const calls = Object.entries(row?.iotCalls ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      return `- ${kind}: ${calls}`;
    }),
    '',
    `Minimal IoT calls for a rotation (find, make, attach): ${MINIMAL.scheduled} with a scheduled retirement, ${MINIMAL.now} retiring at once.`,
    '',
  ];
  return lines.join('\n');
}
