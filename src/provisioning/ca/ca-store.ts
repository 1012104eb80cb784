import type { IoTClient } from '@aws-sdk/client-iot';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { loadCaSigner, type CaSigner } from '../../certificates/index.js';
import { IotCaCertificates, type IotCaCertificate } from './ca-certificates.js';
import { caKeyNotFound, caKeyNotSecure } from './errors.js';
import { TtlCache } from './ttl-cache.js';

export type { IotCaCertificate } from './ca-certificates.js';

/** A CA this service signs device certificates with: its certificate and, inside the signer, its key. */
export interface CaMaterial extends IotCaCertificate {
  signer: CaSigner;
}

export interface CaStoreOptions {
  /** SSM parameter name with `{caId}` in it, e.g. `cdf-ca-key-{caId}`. */
  keyParameterPattern: string;
  /** How long a CA's certificate and key are kept (CA_CACHE_SECONDS). */
  cacheSeconds: number;
}

/**
 * CA certificates from AWS IoT (`DescribeCACertificate`) and CA private keys from SSM SecureString
 * parameters, as CDF kept them, cached briefly. The key PEM is read, turned into a signer and
 * dropped: only the signer's closure holds the key, so no logger or serializer can reach it.
 *
 * The status is cached apart from the key (see IotCaCertificates), so a CA activated after being
 * refused is used at the next request, and one that stops being ACTIVE is refused within
 * CA_STATUS_MAX_AGE_SECONDS however long its key is kept.
 */
export class CaStore {
  private readonly certificates: IotCaCertificates;
  private readonly signers: TtlCache<string, CaSigner>;

  constructor(
    iot: IoTClient,
    private readonly ssm: SSMClient,
    private readonly options: CaStoreOptions,
  ) {
    this.certificates = new IotCaCertificates(iot, options.cacheSeconds);
    this.signers = new TtlCache(options.cacheSeconds * 1000);
  }

  keyParameterName(caId: string): string {
    return this.options.keyParameterPattern.replaceAll('{caId}', caId);
  }

  /** The registered CA certificate and its status (see IotCaCertificates for how fresh). */
  certificate(caId: string): Promise<IotCaCertificate> {
    return this.certificates.certificate(caId);
  }

  /** The CA certificate and a signer for it; the CA must be ACTIVE and its key stored in SSM. */
  async material(caId: string): Promise<CaMaterial> {
    const certificate = await this.certificates.active(caId);
    // The id is the hash of the CA certificate, so the key stored for it goes with this PEM.
    const signer = await this.signers.get(caId, async () =>
      loadCaSigner(certificate.certificatePem, await this.privateKeyPem(caId)),
    );
    return { ...certificate, signer };
  }

  /** Drops what is cached for `caId`, e.g. after its key was rotated. */
  forget(caId: string): void {
    this.certificates.forget(caId);
    this.signers.forget(caId);
  }

  private async privateKeyPem(caId: string): Promise<string> {
    const name = this.keyParameterName(caId);
    const parameter = await this.readParameter(caId, name);
    if (parameter?.Type !== 'SecureString') throw caKeyNotSecure(caId, name, parameter?.Type);
    return present(parameter.Value, `the value of SSM parameter '${name}'`);
  }

  private async readParameter(caId: string, name: string) {
    try {
      const out = await awsCall(`reading the private key of CA '${caId}' from SSM`, () =>
        this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      );
      return out.Parameter;
    } catch (e: unknown) {
      // SSM answers ParameterNotFound (HTTP 400), not ResourceNotFoundException.
      const cause: unknown = e instanceof Error ? e.cause : undefined;
      if (cause instanceof Error && cause.name === 'ParameterNotFound')
        throw caKeyNotFound(caId, name, { cause: e });
      throw e;
    }
  }
}
