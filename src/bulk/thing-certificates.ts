import type { IoTClient } from '@aws-sdk/client-iot';
import { listThingPrincipals } from '../aws/iot-lists.js';
import { unlessGone } from '../aws/unless-gone.js';
import { certificateIdOf } from '../things/thing-name.js';
import type { LineProblem } from './line-check.js';
import type { ExistingThings, LineStatus } from './model.js';

/** A line's thing as AWS IoT has it: absent, or present with the certificates attached to it. */
export type ThingFound = { exists: false } | { exists: true; certificateIds: string[] };

/** One IoT call answers both: ListThingPrincipals is "not found" for a thing that does not exist. */
export async function lookUpThing(iot: IoTClient, thingName: string): Promise<ThingFound> {
  const principals = await unlessGone(() => listThingPrincipals(iot, thingName));
  if (principals === undefined) return { exists: false };
  return { exists: true, certificateIds: principals.flatMap((p) => certificateIdOf(p) ?? []) };
}

/**
 * What a line whose thing exists comes to, as the operator chose (`existingThings`): a thing with a
 * certificate fails the line (refuse), skips it (skip) or is provisioned anyway (provision), each
 * saying why; a thing without one is provisioned, with a warning. Undefined for a new thing.
 */
export function existingThingOutcome(
  thingName: string,
  found: ThingFound,
  choice: ExistingThings,
): { status: LineStatus; problem: LineProblem } | undefined {
  if (!found.exists) return undefined;
  if (found.certificateIds.length === 0)
    return {
      status: 'SUCCEEDED',
      problem: {
        code: 'THING_EXISTS',
        message: `Thing '${thingName}' exists already, without a certificate: it will be used as it is`,
      },
    };
  const shown = found.certificateIds.map((id) => id.slice(0, 12)).join(', ');
  const message = `Thing '${thingName}' already has ${found.certificateIds.length} certificate(s) attached (${shown}…)`;
  switch (choice) {
    case 'refuse':
      return {
        status: 'FAILED',
        problem: {
          code: 'THING_HAS_CERTIFICATE',
          message: `${message}; choose existingThings 'skip' to leave it alone or 'provision' to give it another`,
        },
      };
    case 'skip':
      return {
        status: 'SKIPPED',
        problem: { code: 'THING_HAS_CERTIFICATE', message: `${message}: skipped` },
      };
    case 'provision':
      return {
        status: 'SUCCEEDED',
        problem: { code: 'THING_HAS_CERTIFICATE', message: `${message}: it will get another, as asked` },
      };
  }
}

/**
 * The real run's check before a device is made: nothing to ask AWS IoT when the operator chose to
 * provision existing things anyway, else one ListThingPrincipals call.
 */
export async function existingThingVerdict(
  iot: IoTClient,
  thingName: string,
  choice: ExistingThings,
): Promise<{ status: LineStatus; problem: LineProblem } | undefined> {
  if (choice === 'provision') return undefined;
  const outcome = existingThingOutcome(thingName, await lookUpThing(iot, thingName), choice);
  // A thing without a certificate is provisioned as before: the warning is the dry run's.
  return outcome?.status === 'SUCCEEDED' ? undefined : outcome;
}
