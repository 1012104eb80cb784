import { DescribeParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../../aws/classify-error.js';
import { caKeyNotFound, caKeyNotSecure } from './errors.js';
import { TtlCache } from './ttl-cache.js';

/** The SSM parameter that holds a CA's private key: the pattern with `{caId}` replaced. */
export const caKeyParameterName = (pattern: string, caId: string) => pattern.replaceAll('{caId}', caId);

/**
 * Whether a CA's private key is stored as it must be (an SSM SecureString under the configured
 * name), told from the parameter's metadata alone: `DescribeParameters` returns names and types,
 * never values, so the API can refuse a request whose CA has no key without being able to read
 * one. Only the worker, which signs, reads the key (CaStore).
 */
export class CaKeyPresence {
  private readonly checked: TtlCache<string, void>;

  constructor(
    private readonly ssm: SSMClient,
    private readonly options: { keyParameterPattern: string; cacheSeconds: number },
  ) {
    this.checked = new TtlCache(options.cacheSeconds * 1000);
  }

  /** Resolves when the key is there as a SecureString; CA_KEY_NOT_FOUND / CA_KEY_NOT_SECURE otherwise. */
  check(caId: string): Promise<void> {
    return this.checked.get(caId, () => this.describe(caId));
  }

  private async describe(caId: string): Promise<void> {
    const name = caKeyParameterName(this.options.keyParameterPattern, caId);
    const out = await awsCall(`looking up the private key of CA '${caId}' in SSM`, () =>
      this.ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }],
        }),
      ),
    );
    const parameter = out.Parameters?.find((p) => p.Name === name);
    if (parameter === undefined) throw caKeyNotFound(caId, name);
    if (parameter.Type !== 'SecureString') throw caKeyNotSecure(caId, name, parameter.Type);
  }
}
