import {
  paginateListAttachedPolicies,
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
 * ends it too (`stopOnSameToken`) instead of looping for ever.
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

export function iotLists(iot: IoTClient, pageSize = MAX_PAGE_SIZE): IotLists {
  const config = { client: iot, pageSize, stopOnSameToken: true };
  return {
    thingPrincipals: (thingName) =>
      collect(`listing the principals of thing '${thingName}'`, () =>
        paginateListThingPrincipals(config, { thingName }),
      ).then((pages) => pages.flatMap((p) => p.principals ?? [])),
    principalThings: (principal) =>
      collect(`listing the things of principal '${principal}'`, () =>
        paginateListPrincipalThings(config, { principal }),
      ).then((pages) => pages.flatMap((p) => p.things ?? [])),
    attachedPolicies: (target) =>
      collect(`listing the policies of '${target}'`, () =>
        paginateListAttachedPolicies(config, { target }),
      ).then((pages) =>
        pages.flatMap((p) =>
          (p.policies ?? []).flatMap(({ policyName, policyArn }) =>
            policyName !== undefined && policyArn !== undefined ? [{ policyName, policyArn }] : [],
          ),
        ),
      ),
    policyTargets: (policyName) =>
      collect(`listing the targets of policy '${policyName}'`, () =>
        paginateListTargetsForPolicy(config, { policyName }),
      ).then((pages) => pages.flatMap((p) => p.targets ?? [])),
    thingGroups: (thingName) =>
      collect(`listing the groups of thing '${thingName}'`, () =>
        paginateListThingGroupsForThing(config, { thingName }),
      ).then((pages) =>
        pages.flatMap((p) =>
          (p.thingGroups ?? []).flatMap(({ groupName, groupArn }) =>
            groupName !== undefined && groupArn !== undefined ? [{ groupName, groupArn }] : [],
          ),
        ),
      ),
  };
}

/** Every page of a listing, its AWS errors classified as for any other call. */
function collect<Page>(what: string, pages: () => AsyncIterable<Page>): Promise<Page[]> {
  return awsCall(what, async () => {
    const all: Page[] = [];
    for await (const page of pages()) all.push(page);
    return all;
  });
}
