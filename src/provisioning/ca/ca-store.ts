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
  cacheSeconds: number;
}

/**
 * CA certificates from AWS IoT (`DescribeCACertificate`) and CA private keys from SSM SecureString
 * parameters, as CDF kept them, cached briefly. The key PEM is read, turned into a signer and
 * dropped: only the signer's closure holds the key, so no logger or serializer can reach it.
 */
export class CaStore {
  private readonly certificates: IotCaCertificates;
  private readonly materials: TtlCache<string, CaMaterial>;

  constructor(
    iot: IoTClient,
    private readonly ssm: SSMClient,
    private readonly options: CaStoreOptions,
  ) {
    this.certificates = new IotCaCertificates(iot, options.cacheSeconds);
    this.materials = new TtlCache(options.cacheSeconds * 1000);
  }

  keyParameterName(caId: string): string {
    return this.options.keyParameterPattern.replaceAll('{caId}', caId);
  }

  /** The registered CA certificate; CA_NOT_FOUND when AWS IoT has none with this id. */
  certificate(caId: string): Promise<IotCaCertificate> {
    return this.certificates.certificate(caId);
  }

  /** The CA certificate and a signer for it; the CA must be ACTIVE and its key stored in SSM. */
  material(caId: string): Promise<CaMaterial> {
    return this.materials.get(caId, async () => {
      const certificate = await this.certificates.active(caId);
      const signer = loadCaSigner(certificate.certificatePem, await this.privateKeyPem(caId));
      return { ...certificate, signer };
    });
  }

  /** Drops what is cached for `caId`, e.g. after its key was rotated. */
  forget(caId: string): void {
    this.certificates.forget(caId);
    this.materials.forget(caId);
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
