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
 * CA certificates registered in AWS IoT (`DescribeCACertificate`), cached briefly. Reading one
 * needs no secret, so the submit-time checks use this and never the CA's key.
 */
export class IotCaCertificates {
  private readonly cache: TtlCache<string, IotCaCertificate>;

  constructor(
    private readonly iot: IoTClient,
    cacheSeconds: number,
  ) {
    this.cache = new TtlCache(cacheSeconds * 1000);
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
