import { IOT } from '../templates/iot-constraints.js';
import { ThingNameInvalidError } from './errors.js';

/** Refuses a name AWS would refuse: IoT answers such names with a misleading 404 (moto too). */
export function checkThingName(thingName: string): string {
  if (!IOT.thingName.pattern.test(thingName)) throw new ThingNameInvalidError(thingName);
  return thingName;
}

/** Certificate principals look like `arn:aws:iot:<region>:<account>:cert/<certificateId>`. */
export function certificateIdOf(principal: string): string | undefined {
  return /^arn:[\w-]+:iot:[\w-]*:\d*:cert\/([0-9a-fA-Fx]+)$/.exec(principal)?.[1];
}
