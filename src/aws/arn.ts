import { partitionOf } from './partition.js';

/**
 * An IoT policy's ARN, which AWS derives from the name: a CreatePolicy answered "already exists"
 * needs no GetPolicy to know it.
 */
export const policyArnOf = (policyName: string, at: { region: string; accountId: string }) =>
  `arn:${partitionOf(at.region)}:iot:${at.region}:${at.accountId}:policy/${policyName}`;
