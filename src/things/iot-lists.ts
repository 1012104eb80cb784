import {
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListTargetsForPolicyCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { collectPages } from './paginate.js';

/**
 * The IoT list calls the thing endpoints use, each followed to its last page. AWS names the page
 * size `maxResults` on some calls and `pageSize` on others, and the token `nextToken` or
 * `marker`: written out per call so none is silently cut at the first page (CDF's fault).
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
  return {
    thingPrincipals: (thingName) => {
      const what = `listing the principals of thing '${thingName}'`;
      return collectPages(async (nextToken) => {
        const out = await awsCall(what, () =>
          iot.send(new ListThingPrincipalsCommand({ thingName, nextToken, maxResults: pageSize })),
        );
        return { items: out.principals, next: out.nextToken };
      }, what);
    },
    principalThings: (principal) => {
      const what = `listing the things of principal '${principal}'`;
      return collectPages(async (nextToken) => {
        const out = await awsCall(what, () =>
          iot.send(new ListPrincipalThingsCommand({ principal, nextToken, maxResults: pageSize })),
        );
        return { items: out.things, next: out.nextToken };
      }, what);
    },
    attachedPolicies: async (target) => {
      const what = `listing the policies of '${target}'`;
      const policies = await collectPages(async (marker) => {
        const out = await awsCall(what, () =>
          iot.send(new ListAttachedPoliciesCommand({ target, marker, pageSize })),
        );
        return { items: out.policies, next: out.nextMarker };
      }, what);
      return policies.flatMap(({ policyName, policyArn }) =>
        policyName !== undefined && policyArn !== undefined ? [{ policyName, policyArn }] : [],
      );
    },
    policyTargets: (policyName) => {
      const what = `listing the targets of policy '${policyName}'`;
      return collectPages(async (marker) => {
        const out = await awsCall(what, () =>
          iot.send(new ListTargetsForPolicyCommand({ policyName, marker, pageSize })),
        );
        return { items: out.targets, next: out.nextMarker };
      }, what);
    },
    thingGroups: async (thingName) => {
      const what = `listing the groups of thing '${thingName}'`;
      const groups = await collectPages(async (nextToken) => {
        const out = await awsCall(what, () =>
          iot.send(new ListThingGroupsForThingCommand({ thingName, nextToken, maxResults: pageSize })),
        );
        return { items: out.thingGroups, next: out.nextToken };
      }, what);
      return groups.flatMap(({ groupName, groupArn }) =>
        groupName !== undefined && groupArn !== undefined ? [{ groupName, groupArn }] : [],
      );
    },
  };
}
