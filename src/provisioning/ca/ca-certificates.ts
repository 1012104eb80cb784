import { DescribeCACertificateCommand, type IoTClient } from '@aws-sdk/client-iot';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { NotFoundError } from '../../errors.js';
import { CaError } from './errors.js';
import { TtlCache } from './ttl-cache.js';

/** A CA certificate registered in AWS IoT. */
export interface IotCaCertificate {
  caId: string;
  certificatePem: string;
  status: string;
}

/**
 * How stale a CA's status may be when it signs: the status is re-read at least this often (or
 * every CA_CACHE_SECONDS if that is shorter), even while the CA's key stays cached, so a CA
 * deactivated or revoked in AWS IoT stops signing within this many seconds.
 */
export const CA_STATUS_MAX_AGE_SECONDS = 10;

/**
 * CA certificates registered in AWS IoT (`DescribeCACertificate`), cached briefly. Reading one
 * needs no secret, so the submit-time checks use this and never the CA's key. Only an ACTIVE
 * description is kept, for at most CA_STATUS_MAX_AGE_SECONDS: a refusal is never served from the
 * cache, so a CA activated after being refused is used at the next request.
 */
export class IotCaCertificates {
  private readonly cache: TtlCache<string, IotCaCertificate>;

  constructor(
    private readonly iot: IoTClient,
    cacheSeconds: number,
  ) {
    const seconds = Math.min(cacheSeconds, CA_STATUS_MAX_AGE_SECONDS);
    this.cache = new TtlCache(seconds * 1000, Date.now, (ca) => ca.status === 'ACTIVE');
  }

  /** The registered CA certificate; CA_NOT_FOUND when AWS IoT has none with this id. */
  certificate(caId: string): Promise<IotCaCertificate> {
    return this.cache.get(caId, () => this.describe(caId));
  }

  /** The CA certificate, which must be ACTIVE: AWS IoT refuses what an inactive CA signs. */
  async active(caId: string): Promise<IotCaCertificate> {
    const certificate = await this.certificate(caId);
    if (certificate.status !== 'ACTIVE') {
      throw new CaError(
        'CA_NOT_ACTIVE',
        `AWS IoT CA certificate '${caId}' is ${certificate.status}; activate it (UpdateCACertificate) ` +
          'before issuing or registering device certificates with it',
      );
    }
    return certificate;
  }

  forget(caId: string): void {
    this.cache.forget(caId);
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
}
