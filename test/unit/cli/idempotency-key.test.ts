import { describe, expect, it } from '@jest/globals';
import { idempotencyKey, type KeyInputs } from '../../../cli/idempotency-key.js';

const base: KeyInputs = {
  purpose: 'bulk',
  templateId: 'aws-certificate',
  fileSha256: 'a'.repeat(64),
  parameters: { Site: 'plant-7', Line: '3' },
  cdfProvisioningParameters: { certInfo: { country: 'DE', commonName: 'x' } },
  existingThings: 'skip',
};

describe('the Idempotency-Key of a command', () => {
  it('is the same for the same file and options, whatever their order', () => {
    const reordered: KeyInputs = {
      existingThings: 'skip',
      cdfProvisioningParameters: { certInfo: { commonName: 'x', country: 'DE' } },
      parameters: { Line: '3', Site: 'plant-7' },
      fileSha256: 'a'.repeat(64),
      templateId: 'aws-certificate',
      purpose: 'bulk',
    };
    expect(idempotencyKey(reordered)).toBe(idempotencyKey(base));
    expect(idempotencyKey({ ...base })).toBe(idempotencyKey(base));
  });

  it('changes with any change of file or option', () => {
    const variants: KeyInputs[] = [
      { ...base, purpose: 'dry-run' },
      { ...base, templateId: 'other' },
      { ...base, fileSha256: 'b'.repeat(64) },
      { ...base, parameters: { Site: 'plant-8', Line: '3' } },
      { ...base, parameters: { Site: 'plant-7' } },
      { ...base, cdfProvisioningParameters: { certInfo: { country: 'FR', commonName: 'x' } } },
      { ...base, cdfProvisioningParameters: undefined },
      { ...base, existingThings: 'provision' },
    ];
    const keys = new Set([base, ...variants].map(idempotencyKey));
    expect(keys.size).toBe(variants.length + 1);
  });

  it('is a key the API accepts: 1–255 visible ASCII characters', () => {
    expect(idempotencyKey(base)).toMatch(/^[\x21-\x7e]{1,255}$/);
    expect(idempotencyKey(base)).toMatch(/^provision-cli-v1:bulk:/);
  });
});
