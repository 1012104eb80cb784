import { ThingNameInvalidError } from './errors.js';

/** AWS IoT's rule for thing names (the same rule the template engine applies). */
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

/** Refuses a name AWS would refuse: IoT answers such names with a misleading 404 (moto too). */
export function checkThingName(thingName: string): string {
  if (!THING_NAME.test(thingName)) throw new ThingNameInvalidError(thingName);
  return thingName;
}

/** Certificate principals look like `arn:aws:iot:<region>:<account>:cert/<certificateId>`. */
export function certificateIdOf(principal: string): string | undefined {
  return /^arn:[\w-]+:iot:[\w-]*:\d*:cert\/([0-9a-fA-Fx]+)$/.exec(principal)?.[1];
}
