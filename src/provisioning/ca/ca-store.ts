import { DescribeCACertificateCommand, type IoTClient } from '@aws-sdk/client-iot';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { loadCaSigner, type CaSigner } from '../../certificates/index.js';
import { NotFoundError } from '../../errors.js';
import { CaError } from './errors.js';
import { TtlCache } from './ttl-cache.js';

/** A CA certificate registered in AWS IoT. */
export interface IotCaCertificate {
  caId: string;
  certificatePem: string;
  status: string;
}

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
  private readonly certificates: TtlCache<string, IotCaCertificate>;
  private readonly materials: TtlCache<string, CaMaterial>;

  constructor(
    private readonly iot: IoTClient,
    private readonly ssm: SSMClient,
    private readonly options: CaStoreOptions,
  ) {
    this.certificates = new TtlCache(options.cacheSeconds * 1000);
    this.materials = new TtlCache(options.cacheSeconds * 1000);
  }

  keyParameterName(caId: string): string {
    return this.options.keyParameterPattern.replaceAll('{caId}', caId);
  }

  /** The registered CA certificate; CA_NOT_FOUND when AWS IoT has none with this id. */
  certificate(caId: string): Promise<IotCaCertificate> {
    return this.certificates.get(caId, () => this.describe(caId));
  }

  /** The CA certificate and a signer for it; the CA must be ACTIVE and its key stored in SSM. */
  material(caId: string): Promise<CaMaterial> {
    return this.materials.get(caId, async () => {
      const certificate = await this.certificate(caId);
      if (certificate.status !== 'ACTIVE') {
        throw new CaError(
          'CA_NOT_ACTIVE',
          `CA certificate '${caId}' is ${certificate.status} in AWS IoT; activate it (UpdateCACertificate) ` +
            'before issuing device certificates with it',
        );
      }
      const signer = loadCaSigner(certificate.certificatePem, await this.privateKeyPem(caId));
      return { ...certificate, signer };
    });
  }

  /** Drops what is cached for `caId`, e.g. after its key was rotated. */
  forget(caId: string): void {
    this.certificates.forget(caId);
    this.materials.forget(caId);
  }

  private async describe(caId: string): Promise<IotCaCertificate> {
    try {
      const out = await awsCall(`reading CA certificate '${caId}'`, () =>
        this.iot.send(new DescribeCACertificateCommand({ certificateId: caId })),
      );
      const description = out.certificateDescription;
      return {
        caId,
        certificatePem: present(description?.certificatePem, 'the CA certificate PEM'),
        status: present(description?.status, 'the CA certificate status'),
      };
    } catch (e: unknown) {
      if (e instanceof NotFoundError) {
        throw new CaError(
          'CA_NOT_FOUND',
          `No CA certificate with id '${caId}' is registered in AWS IoT; register the CA ` +
            '(RegisterCACertificate) or send the id of one that is',
          { cause: e },
        );
      }
      throw e;
    }
  }

  private async privateKeyPem(caId: string): Promise<string> {
    const name = this.keyParameterName(caId);
    const parameter = await this.readParameter(caId, name);
    if (parameter?.Type !== 'SecureString') {
      throw new CaError(
        'CA_KEY_NOT_SECURE',
        `SSM parameter '${name}' holds the key of CA '${caId}' in clear text (${parameter?.Type ?? 'no type'}); ` +
          'store it again as a SecureString',
      );
    }
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
      if (cause instanceof Error && cause.name === 'ParameterNotFound') {
        throw new CaError(
          'CA_KEY_NOT_FOUND',
          `The private key of CA '${caId}' is not in SSM: store it (PEM) as SecureString parameter '${name}'`,
          { cause: e },
        );
      }
      throw e;
    }
  }
}
