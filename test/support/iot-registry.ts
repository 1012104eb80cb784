import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListPrincipalThingsCommand,
  paginateListCertificates,
  type IoTClient,
} from '@aws-sdk/client-iot';

/** Reads the emulated IoT registry directly, so tests assert on its real state. */
export async function thingState(iot: IoTClient, thingName: string) {
  const thing = await iot.send(new DescribeThingCommand({ thingName }));
  const principals = await principalsOf(iot, thingName);
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

export async function principalsOf(iot: IoTClient, thingName: string): Promise<string[]> {
  return (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];
}

export async function certificateStatus(iot: IoTClient, certificateId: string): Promise<string | undefined> {
  const out = await iot.send(new DescribeCertificateCommand({ certificateId }));
  return out.certificateDescription?.status;
}

/** Whether the registry answers `read`, or says the resource it asks about does not exist. */
export async function resourceExists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (e: unknown) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

export const thingExists = (iot: IoTClient, thingName: string): Promise<boolean> =>
  resourceExists(() => iot.send(new DescribeThingCommand({ thingName })));

export const policyExists = (iot: IoTClient, policyName: string): Promise<boolean> =>
  resourceExists(() => iot.send(new GetPolicyCommand({ policyName })));

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

/** Every device certificate in the registry, with the things it is attached to (follows every page). */
export async function certificatesAndThings(
  iot: IoTClient,
): Promise<{ certificateId: string; status: string; things: string[] }[]> {
  const all = [];
  for await (const page of paginateListCertificates({ client: iot, pageSize: 250 }, {})) {
    for (const c of page.certificates ?? []) {
      const things = await iot.send(new ListPrincipalThingsCommand({ principal: c.certificateArn }));
      all.push({ certificateId: c.certificateId ?? '', status: c.status ?? '', things: things.things ?? [] });
    }
  }
  return all;
}
