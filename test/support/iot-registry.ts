import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  ListAttachedPoliciesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ListCertificatesCommand,
  ListPoliciesCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';

/** Reads the emulated IoT registry directly, so tests assert on its real state. */
export async function thingState(iot: IoTClient, thingName: string) {
  const thing = await iot.send(new DescribeThingCommand({ thingName }));
  const principals = (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];
  const groups = ((await iot.send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups ?? []).map(
    (g) => g.groupName,
  );
  const policies = await Promise.all(
    principals.map(async (target) =>
      ((await iot.send(new ListAttachedPoliciesCommand({ target }))).policies ?? []).map((p) => p.policyName),
    ),
  );
  return { thing, principals, groups, policies };
}

export async function certificateStatus(iot: IoTClient, certificateId: string): Promise<string | undefined> {
  const out = await iot.send(new DescribeCertificateCommand({ certificateId }));
  return out.certificateDescription?.status;
}

export async function thingExists(iot: IoTClient, thingName: string): Promise<boolean> {
  try {
    await iot.send(new DescribeThingCommand({ thingName }));
    return true;
  } catch (e: unknown) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

/** Counts over the whole (shared) registry; tests compare before/after around their own work. */
export async function registryCounts(
  iot: IoTClient,
): Promise<{ things: number; certificates: number; policies: number }> {
  const [things, certificates, policies] = await Promise.all([
    iot.send(new ListThingsCommand({ maxResults: 250 })),
    iot.send(new ListCertificatesCommand({ pageSize: 250 })),
    iot.send(new ListPoliciesCommand({ pageSize: 250 })),
  ]);
  return {
    things: things.things?.length ?? 0,
    certificates: certificates.certificates?.length ?? 0,
    policies: policies.policies?.length ?? 0,
  };
}
