import type { Plan } from '../tasks/model.js';
import type { CdfBlock } from '../templates/cdf-block.js';
import type { ExpandedTemplate } from '../templates/types.js';
import { additionalPolicies } from './post-steps/additional-policies.js';
import { clientIdPolicyName } from './post-steps/client-id-policy.js';
import { policyNameOf } from './steps/policies.js';

/**
 * The names of the policies with a document a device of this expansion gets (the template's and
 * those of CDF's post-steps): the ones a run may create.
 */
export function documentedPolicyNames(expanded: ExpandedTemplate, cdf: CdfBlock): string[] {
  const names = expanded.policies.filter((p) => p.policyDocument !== undefined).map(policyNameOf);
  if (cdf.clientIdMustMatchThingName === true && expanded.thing !== undefined) {
    names.push(clientIdPolicyName(expanded.thing.thingName));
  }
  for (const ref of additionalPolicies(cdf)) if (ref.document !== undefined) names.push(ref.name);
  return names;
}

/**
 * What a run will create, from what it found before its claim, added to what earlier runs of the
 * task planned (which may have created it already): the thing if it did not exist, the policies
 * with a document this process does not know to exist.
 */
export function planFor(
  earlier: Plan | undefined,
  thing: { thingName: string; exists: boolean } | undefined,
  documented: string[],
  known: (policyName: string) => boolean,
): Plan {
  const policies = new Set(earlier?.policies ?? []);
  for (const name of documented) if (!known(name)) policies.add(name);
  const earlierThing = earlier?.thing;
  return {
    ...(thing === undefined
      ? earlierThing === undefined
        ? {}
        : { thing: earlierThing }
      : {
          thing: {
            thingName: thing.thingName,
            creates: !thing.exists || (earlierThing?.thingName === thing.thingName && earlierThing.creates),
          },
        }),
    policies: [...policies],
  };
}
