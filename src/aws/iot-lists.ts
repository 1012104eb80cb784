import {
  paginateListAttachedPolicies,
  paginateListCertificates,
  type Certificate,
  paginateListPrincipalThings,
  paginateListTargetsForPolicy,
  paginateListThingGroupsForThing,
  paginateListThingPrincipals,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { awsCall } from './classify-error.js';

/**
 * The IoT list calls, each followed to its last page (CDF stopped at the first) with the SDK's
 * paginators, which know whether a call names its token `nextToken` or `marker` and its page size
 * `maxResults` or `pageSize`. An absent, `null` or empty token ends a listing; a token AWS repeats
 * ends it too (`stopOnSameToken`) instead of looping for ever. Each list is its own function, so a
 * bundle holds (and its IAM role needs) only the ones its code calls.
 */
export interface IotLists {
  thingPrincipals(thingName: string): Promise<string[]>;
  principalThings(principal: string): Promise<string[]>;
  attachedPolicies(target: string): Promise<{ policyName: string; policyArn: string }[]>;
  policyTargets(policyName: string): Promise<string[]>;
  thingGroups(thingName: string): Promise<{ groupName: string; groupArn: string }[]>;
}

/** The largest page every one of these calls accepts. */
export const MAX_PAGE_SIZE = 250;

type Paging = { client: IoTClient; pageSize: number; stopOnSameToken: true };
const paging = (iot: IoTClient, pageSize: number): Paging => ({
  client: iot,
  pageSize,
  stopOnSameToken: true,
});

export function iotLists(iot: IoTClient, pageSize = MAX_PAGE_SIZE): IotLists {
  return {
    thingPrincipals: (thingName) => listThingPrincipals(iot, thingName, pageSize),
    principalThings: (principal) => listPrincipalThings(iot, principal, pageSize),
    attachedPolicies: (target) => listAttachedPolicies(iot, target, pageSize),
    policyTargets: (policyName) => listPolicyTargets(iot, policyName, pageSize),
    thingGroups: (thingName) => listThingGroups(iot, thingName, pageSize),
  };
}

export async function listThingPrincipals(iot: IoTClient, thingName: string, pageSize = MAX_PAGE_SIZE) {
  const pages = await collect(`listing the principals of thing '${thingName}'`, () =>
    paginateListThingPrincipals(paging(iot, pageSize), { thingName }),
  );
  return pages.flatMap((p) => p.principals ?? []);
}

export async function listPrincipalThings(iot: IoTClient, principal: string, pageSize = MAX_PAGE_SIZE) {
  const pages = await collect(`listing the things of principal '${principal}'`, () =>
    paginateListPrincipalThings(paging(iot, pageSize), { principal }),
  );
  return pages.flatMap((p) => p.things ?? []);
}

export async function listAttachedPolicies(iot: IoTClient, target: string, pageSize = MAX_PAGE_SIZE) {
  const pages = await collect(`listing the policies of '${target}'`, () =>
    paginateListAttachedPolicies(paging(iot, pageSize), { target }),
  );
  return pages.flatMap((p) =>
    (p.policies ?? []).flatMap(({ policyName, policyArn }) =>
      policyName !== undefined && policyArn !== undefined ? [{ policyName, policyArn }] : [],
    ),
  );
}

export async function listPolicyTargets(iot: IoTClient, policyName: string, pageSize = MAX_PAGE_SIZE) {
  const pages = await collect(`listing the targets of policy '${policyName}'`, () =>
    paginateListTargetsForPolicy(paging(iot, pageSize), { policyName }),
  );
  return pages.flatMap((p) => p.targets ?? []);
}

export async function listThingGroups(iot: IoTClient, thingName: string, pageSize = MAX_PAGE_SIZE) {
  const pages = await collect(`listing the groups of thing '${thingName}'`, () =>
    paginateListThingGroupsForThing(paging(iot, pageSize), { thingName }),
  );
  return pages.flatMap((p) =>
    (p.thingGroups ?? []).flatMap(({ groupName, groupArn }) =>
      groupName !== undefined && groupArn !== undefined ? [{ groupName, groupArn }] : [],
    ),
  );
}

/**
 * The account's certificates created within [from, to] (epoch ms), newest first: AWS lists newest
 * first, so the listing stops at the first page that reaches back before `from` (an emulator that
 * ignores the order is filtered all the same).
 */
export async function listCertificatesCreatedBetween(
  iot: IoTClient,
  from: number,
  to: number,
  pageSize = MAX_PAGE_SIZE,
): Promise<Certificate[]> {
  const created = (c: Certificate) => c.creationDate?.getTime() ?? 0;
  return awsCall('listing the certificates created in an unsettled window', async () => {
    const found: Certificate[] = [];
    for await (const page of paginateListCertificates(paging(iot, pageSize), { ascendingOrder: false })) {
      const certificates = page.certificates ?? [];
      found.push(...certificates.filter((c) => created(c) >= from && created(c) <= to));
      if (certificates.some((c) => created(c) < from)) break;
    }
    return found.sort((a, b) => created(b) - created(a));
  });
}

/** Every page of a listing, its AWS errors classified as for any other call. */
function collect<Page>(what: string, pages: () => AsyncIterable<Page>): Promise<Page[]> {
  return awsCall(what, async () => {
    const all: Page[] = [];
    for await (const page of pages()) all.push(page);
    return all;
  });
}
