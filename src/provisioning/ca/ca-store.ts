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
  /** How long a CA's certificate and key are kept (CA_CACHE_SECONDS). */
  cacheSeconds: number;
}

/**
 * How stale a CA's status may be when it signs: the status is re-read at least this often (or
 * every CA_CACHE_SECONDS if that is shorter), even while the key stays cached, so a CA
 * deactivated or revoked in AWS IoT stops signing within this many seconds.
 */
export const CA_STATUS_MAX_AGE_SECONDS = 10;

/**
 * CA certificates from AWS IoT (`DescribeCACertificate`) and CA private keys from SSM SecureString
 * parameters, as CDF kept them, cached briefly. The key PEM is read, turned into a signer and
 * dropped: only the signer's closure holds the key, so no logger or serializer can reach it.
 *
 * The status is cached apart from the key, and only while it is ACTIVE: a refusal is never served
 * from the cache (a CA activated after being refused is used at the next request), and a CA that
 * stops being ACTIVE is refused within CA_STATUS_MAX_AGE_SECONDS however long its key is kept.
 */
export class CaStore {
  private readonly descriptions: TtlCache<string, IotCaCertificate>;
  private readonly signers: TtlCache<string, CaSigner>;

  constructor(
    private readonly iot: IoTClient,
    private readonly ssm: SSMClient,
    private readonly options: CaStoreOptions,
  ) {
    const statusSeconds = Math.min(options.cacheSeconds, CA_STATUS_MAX_AGE_SECONDS);
    this.descriptions = new TtlCache(statusSeconds * 1000, Date.now, (ca) => ca.status === 'ACTIVE');
    this.signers = new TtlCache(options.cacheSeconds * 1000);
  }

  keyParameterName(caId: string): string {
    return this.options.keyParameterPattern.replaceAll('{caId}', caId);
  }

  /**
   * The registered CA certificate and its status, at most CA_STATUS_MAX_AGE_SECONDS old when
   * ACTIVE and read afresh otherwise; CA_NOT_FOUND when AWS IoT has none with this id.
   */
  certificate(caId: string): Promise<IotCaCertificate> {
    return this.descriptions.get(caId, () => this.describe(caId));
  }

  /** The CA certificate and a signer for it; the CA must be ACTIVE and its key stored in SSM. */
  async material(caId: string): Promise<CaMaterial> {
    const certificate = await this.certificate(caId);
    if (certificate.status !== 'ACTIVE') {
      throw new CaError(
        'CA_NOT_ACTIVE',
        `CA certificate '${caId}' is ${certificate.status} in AWS IoT; activate it (UpdateCACertificate) ` +
          'before issuing device certificates with it',
      );
    }
    // The id is the hash of the CA certificate, so the key stored for it goes with this PEM.
    const signer = await this.signers.get(caId, async () =>
      loadCaSigner(certificate.certificatePem, await this.privateKeyPem(caId)),
    );
    return { ...certificate, signer };
  }

  /** Drops what is cached for `caId`, e.g. after its key was rotated. */
  forget(caId: string): void {
    this.descriptions.forget(caId);
    this.signers.forget(caId);
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
