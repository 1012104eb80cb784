import { describe, expect, it } from '@jest/globals';
import {
  additionalPolicies,
  postStepLogicalId,
} from '../../../src/provisioning/post-steps/additional-policies.js';
import {
  clientIdPolicyDocument,
  clientIdPolicyName,
} from '../../../src/provisioning/post-steps/client-id-policy.js';

describe('attachAdditionalPolicies', () => {
  it("reads both of CDF's forms", () => {
    const policies = [{ name: 'a' }, { name: 'b', document: '{}' }];
    expect(additionalPolicies({ attachAdditionalPolicies: policies })).toEqual(policies);
    expect(additionalPolicies({ attachAdditionalPolicies: { policies } })).toEqual(policies);
    expect(additionalPolicies({})).toEqual([]);
  });

  it('keeps checkpoint keys apart from template logical ids and free of document-path dots', () => {
    expect(postStepLogicalId('telemetry')).toBe('cdf:telemetry');
    expect(postStepLogicalId('v1.2.policy')).toBe('cdf:v1%2E2%2Epolicy');
    expect(postStepLogicalId('a.b')).not.toBe(postStepLogicalId('a_b'));
  });
});

describe('clientIdMustMatchThingName', () => {
  it("names the policy as CDF did, within AWS IoT's policy-name rules", () => {
    expect(clientIdPolicyName('pump-7')).toBe('clientIdEnforcementPolicy_pump-7');
    expect(clientIdPolicyName('site:pump:7')).toBe('clientIdEnforcementPolicy_site_pump_7');
    const long = clientIdPolicyName('x'.repeat(128));
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^clientIdEnforcementPolicy_[0-9a-f]{40}$/);
    expect(clientIdPolicyName('y'.repeat(128))).not.toBe(long);
  });

  it('allows connecting only with the thing name as client id, in the right partition', () => {
    expect(JSON.parse(clientIdPolicyDocument('pump-7', 'eu-west-1', '123456789012'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iot:Connect',
          Resource: 'arn:aws:iot:eu-west-1:123456789012:client/pump-7',
        },
      ],
    });
    expect(clientIdPolicyDocument('p', 'cn-north-1', '1')).toContain('arn:aws-cn:iot:cn-north-1:1:client/p');
  });
});
