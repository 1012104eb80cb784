import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  GetPolicyCommand,
  type DescribeThingCommandOutput,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { present } from '../aws/present.js';
import { NotFoundError } from '../errors.js';
import { ThingNotFoundError } from './errors.js';
import { unlessGone } from '../aws/unless-gone.js';
import { iotLists, type IotLists } from '../aws/iot-lists.js';
import type { Thing } from './schemas.js';
import { certificateIdOf, checkThingName } from './thing-name.js';

type ThingCertificate = Thing['certificates'][number];
type ThingPolicy = Thing['policies'][number];
type ThingGroup = Thing['groups'][number];

export interface ThingReadDeps {
  iot: IoTClient;
  /** IoT list page size (1-250); tests make it small to cross page boundaries. */
  pageSize?: number;
}

/**
 * `GET /things/{thingName}`: the thing with its type and attributes, every attached certificate
 * with its real status, every policy on those principals with its document, and every group with
 * its attributes. Independent reads run concurrently; the IoT rate limiter paces them.
 */
export async function getThing(thingName: string, deps: ThingReadDeps): Promise<Thing> {
  checkThingName(thingName);
  const lists = iotLists(deps.iot, deps.pageSize);
  const thing = await describeThing(deps.iot, thingName);
  const [principals, groups] = await Promise.all([
    lists.thingPrincipals(thingName),
    lists.thingGroups(thingName),
  ]).catch(thingGone(thingName));
  const [certificates, policies, groupViews] = await Promise.all([
    Promise.all(
      principals.flatMap((p) => certificateIdOf(p) ?? []).map((id) => readCertificate(deps.iot, id)),
    ),
    readPolicies(deps.iot, lists, principals),
    Promise.all(groups.map((group) => readGroup(deps.iot, group))),
  ]);
  return {
    thingName,
    arn: present(thing.thingArn, 'thingArn'),
    ...(thing.thingTypeName !== undefined ? { thingType: thing.thingTypeName } : {}),
    attributes: thing.attributes ?? {},
    // A part deleted between listing and reading it is no longer the thing's: left out.
    certificates: certificates.filter((c) => c !== undefined),
    policies: policies.filter((p) => p !== undefined),
    groups: groupViews.filter((g) => g !== undefined),
  };
}

/** The thing was deleted while it was being read. */
function thingGone(thingName: string): (e: unknown) => never {
  return (e: unknown) => {
    if (e instanceof NotFoundError) throw new ThingNotFoundError(thingName, { cause: e });
    throw e;
  };
}

export async function describeThing(iot: IoTClient, thingName: string): Promise<DescribeThingCommandOutput> {
  try {
    return await awsCall(`reading thing '${thingName}'`, () =>
      iot.send(new DescribeThingCommand({ thingName })),
    );
  } catch (e: unknown) {
    if (e instanceof NotFoundError) throw new ThingNotFoundError(thingName, { cause: e });
    throw e;
  }
}

/** A certificate as the thing view shows it; undefined when it no longer exists. */
export async function readCertificate(
  iot: IoTClient,
  certificateId: string,
): Promise<ThingCertificate | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading certificate ${certificateId}`, () =>
      iot.send(new DescribeCertificateCommand({ certificateId })),
    ),
  );
  if (out === undefined) return undefined;
  const description = present(out.certificateDescription, 'certificateDescription');
  return {
    certificateId,
    arn: present(description.certificateArn, 'certificateArn'),
    certificateStatus: present(description.status, 'the certificate status'),
    certificatePem: present(description.certificatePem, 'certificatePem'),
  };
}

async function readGroup(
  iot: IoTClient,
  { groupName, groupArn }: { groupName: string; groupArn: string },
): Promise<ThingGroup | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading thing group '${groupName}'`, () =>
      iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName })),
    ),
  );
  if (out === undefined) return undefined;
  return {
    groupName,
    arn: groupArn,
    attributes: out.thingGroupProperties?.attributePayload?.attributes ?? {},
  };
}

/** A policy attached to several of the thing's principals is shown once. */
async function readPolicies(
  iot: IoTClient,
  lists: IotLists,
  principals: string[],
): Promise<(ThingPolicy | undefined)[]> {
  const attached = await Promise.all(principals.map((p) => unlessGone(() => lists.attachedPolicies(p))));
  const byName = new Map(attached.flatMap((list) => list ?? []).map((p) => [p.policyName, p.policyArn]));
  return Promise.all(
    [...byName].map(async ([policyName, arn]) => {
      const out = await unlessGone(() =>
        awsCall(`reading policy '${policyName}'`, () => iot.send(new GetPolicyCommand({ policyName }))),
      );
      return out && { policyName, arn, policyDocument: present(out.policyDocument, 'policyDocument') };
    }),
  );
}
