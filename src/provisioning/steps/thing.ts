import { listThingGroups } from '../../aws/iot-lists.js';
import { unlessGone } from '../../aws/unless-gone.js';
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  DescribeThingCommand,
  RemoveThingFromThingGroupCommand,
  UpdateThingCommand,
  type DescribeThingCommandOutput,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { NotFoundError } from '../../errors.js';
import type { Checkpoint } from '../../tasks/model.js';
import type { ExpandedThing, OverrideAction } from '../../templates/types.js';
import type { ProvisioningContext } from '../context.js';
import { MissingResourceError, OverrideRefusedError } from '../errors.js';

type ThingCheckpoint = NonNullable<Checkpoint['thing']>;

/**
 * The template's `AWS::IoT::Thing`. A new thing is created with its type, attributes and groups.
 * An existing one is changed only as its `OverrideSettings` allow (absent means DO_NOTHING), and is
 * never removed by compensation since this task did not make it. Whether the task makes it was
 * decided, and recorded in the plan, before the claim (from `existing`, what DescribeThing said
 * then), so a redelivery that finds the thing knows whether it is its own.
 */
export async function ensureThing(
  ctx: ProvisioningContext,
  spec: ExpandedThing,
  existing: DescribeThingCommandOutput | undefined,
): Promise<ThingCheckpoint> {
  const planned = ctx.plan.thing;
  const ours = planned?.thingName === spec.thingName && planned.creates;
  await ctx.keepLease();
  let checkpoint: ThingCheckpoint;
  if (existing === undefined) {
    if (!ours)
      await ctx.record({ plan: { ...ctx.plan, thing: { thingName: spec.thingName, creates: true } } });
    const out = await awsCall(`creating thing '${spec.thingName}'`, () =>
      ctx.iot.send(
        new CreateThingCommand({
          thingName: spec.thingName,
          thingTypeName: spec.thingTypeName,
          attributePayload: spec.attributes ? { attributes: spec.attributes } : undefined,
          billingGroupName: spec.billingGroup,
        }),
      ),
    ).catch(explainMissing(spec));
    checkpoint = { created: true, thingName: spec.thingName, thingArn: present(out.thingArn, 'thingArn') };
    await addToGroups(ctx, spec, spec.thingGroups ?? []);
  } else if (ours) {
    // An earlier run of this task made it and stopped before recording the result.
    checkpoint = {
      created: true,
      thingName: spec.thingName,
      thingArn: present(existing.thingArn, 'thingArn'),
    };
    await addToGroups(ctx, spec, spec.thingGroups ?? []);
  } else {
    await applyOverrides(ctx, spec, existing);
    checkpoint = {
      created: false,
      thingName: spec.thingName,
      thingArn: present(existing.thingArn, 'thingArn'),
    };
  }
  ctx.checkpoint.thing = checkpoint;
  return checkpoint;
}

export async function describeThing(
  iot: IoTClient,
  thingName: string,
): Promise<DescribeThingCommandOutput | undefined> {
  return unlessGone(() =>
    awsCall(`reading thing '${thingName}'`, () => iot.send(new DescribeThingCommand({ thingName }))),
  );
}

async function applyOverrides(
  ctx: ProvisioningContext,
  spec: ExpandedThing,
  existing: DescribeThingCommandOutput,
): Promise<void> {
  const {
    attributePayload = 'DO_NOTHING',
    thingTypeName = 'DO_NOTHING',
    thingGroups = 'DO_NOTHING',
  } = spec.overrideSettings;
  const update: { attributes?: Record<string, string>; merge?: boolean; thingTypeName?: string } = {};

  if (spec.attributes !== undefined && !sameAttributes(existing.attributes ?? {}, spec.attributes)) {
    refuseIf(attributePayload, spec.thingName, 'AttributePayload');
    if (attributePayload === 'REPLACE' || attributePayload === 'MERGE') {
      update.attributes = spec.attributes;
      update.merge = attributePayload === 'MERGE';
    }
  }
  if (spec.thingTypeName !== undefined && spec.thingTypeName !== existing.thingTypeName) {
    refuseIf(thingTypeName, spec.thingName, 'ThingTypeName');
    if (thingTypeName === 'REPLACE') update.thingTypeName = spec.thingTypeName;
  }
  if (update.attributes !== undefined || update.thingTypeName !== undefined) {
    await awsCall(`updating thing '${spec.thingName}'`, () =>
      ctx.iot.send(
        new UpdateThingCommand({
          thingName: spec.thingName,
          thingTypeName: update.thingTypeName,
          attributePayload: update.attributes
            ? { attributes: update.attributes, merge: update.merge }
            : undefined,
        }),
      ),
    ).catch(explainMissing(spec));
  }
  if (spec.thingGroups !== undefined) await overrideGroups(ctx, spec, spec.thingGroups, thingGroups);
}

async function overrideGroups(
  ctx: ProvisioningContext,
  spec: ExpandedThing,
  wanted: string[],
  action: OverrideAction,
): Promise<void> {
  if (action === 'DO_NOTHING') return;
  const current = await currentGroups(ctx, spec.thingName);
  const missing = wanted.filter((g) => !current.includes(g));
  const extra = current.filter((g) => !wanted.includes(g));
  if (action === 'FAIL' && (missing.length > 0 || extra.length > 0))
    throw new OverrideRefusedError(spec.thingName, 'ThingGroups');
  await addToGroups(ctx, spec, missing);
  if (action === 'REPLACE') {
    for (const thingGroupName of extra) {
      await awsCall(`removing thing '${spec.thingName}' from group '${thingGroupName}'`, () =>
        ctx.iot.send(new RemoveThingFromThingGroupCommand({ thingName: spec.thingName, thingGroupName })),
      );
    }
  }
}

async function currentGroups(ctx: ProvisioningContext, thingName: string): Promise<string[]> {
  const groups = await listThingGroups(ctx.iot, thingName);
  return groups.map((g) => g.groupName);
}

async function addToGroups(ctx: ProvisioningContext, spec: ExpandedThing, groups: string[]): Promise<void> {
  for (const thingGroupName of groups) {
    await awsCall(`adding thing '${spec.thingName}' to group '${thingGroupName}'`, () =>
      ctx.iot.send(new AddThingToThingGroupCommand({ thingName: spec.thingName, thingGroupName })),
    ).catch((e: unknown) => {
      if (e instanceof NotFoundError) {
        throw new MissingResourceError(
          'THING_GROUP_NOT_FOUND',
          `Thing group '${thingGroupName}' does not exist; create it before provisioning into it`,
          { cause: e },
        );
      }
      throw e;
    });
  }
}

function refuseIf(action: OverrideAction, thingName: string, property: string): void {
  if (action === 'FAIL') throw new OverrideRefusedError(thingName, property);
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** IoT answers "not found" for a missing thing type or billing group: say which. */
function explainMissing(spec: ExpandedThing): (e: unknown) => never {
  return (e: unknown) => {
    if (e instanceof NotFoundError && spec.thingTypeName !== undefined) {
      throw new MissingResourceError(
        'THING_TYPE_NOT_FOUND',
        `Thing type '${spec.thingTypeName}' (or billing group) does not exist; create it first`,
        { cause: e },
      );
    }
    throw e;
  };
}
