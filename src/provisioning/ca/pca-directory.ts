import {
  DescribeCertificateAuthorityCommand,
  type ACMPCAClient,
  type SigningAlgorithm,
} from '@aws-sdk/client-acm-pca';
import { awsCall } from '../../aws/classify-error.js';
import { NotFoundError } from '../../errors.js';
import { CaError } from './errors.js';
import { TtlCache } from './ttl-cache.js';

export interface PcaAuthority {
  arn: string;
  /** The signing algorithm that matches the CA's own key, as IssueCertificate needs it. */
  signingAlgorithm: SigningAlgorithm;
}

/** Each key signs with the hash of matching strength; SM2 has nothing AWS IoT accepts. */
const SIGNING: Readonly<Record<string, SigningAlgorithm>> = {
  RSA_2048: 'SHA256WITHRSA',
  RSA_3072: 'SHA256WITHRSA',
  RSA_4096: 'SHA256WITHRSA',
  EC_prime256v1: 'SHA256WITHECDSA',
  EC_secp384r1: 'SHA384WITHECDSA',
  EC_secp521r1: 'SHA512WITHECDSA',
};

/** ACM PCA certificate authorities by ARN: existence, state and key algorithm, cached briefly. */
export class PcaDirectory {
  private readonly authorities: TtlCache<string, PcaAuthority>;

  constructor(
    private readonly acmpca: ACMPCAClient,
    cacheSeconds: number,
  ) {
    this.authorities = new TtlCache(cacheSeconds * 1000);
  }

  /** The CA, which must exist and be ACTIVE. */
  authority(arn: string): Promise<PcaAuthority> {
    return this.authorities.get(arn, () => this.describe(arn));
  }

  private async describe(arn: string): Promise<PcaAuthority> {
    let authority;
    try {
      authority = (
        await awsCall(`reading ACM PCA certificate authority '${arn}'`, () =>
          this.acmpca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: arn })),
        )
      ).CertificateAuthority;
    } catch (e: unknown) {
      if (e instanceof NotFoundError) {
        throw new CaError(
          'PCA_NOT_FOUND',
          `ACM PCA has no certificate authority '${arn}'; check the ARN (or the PCA_<ALIAS> variable naming it)`,
          { cause: e },
        );
      }
      throw e;
    }
    if (authority?.Status !== 'ACTIVE') {
      throw new CaError(
        'PCA_NOT_ACTIVE',
        `ACM PCA certificate authority '${arn}' is ${authority?.Status ?? 'in an unknown state'}, not ACTIVE; ` +
          'install its CA certificate or re-enable it before issuing device certificates',
      );
    }
    const keyAlgorithm = authority.CertificateAuthorityConfiguration?.KeyAlgorithm;
    const signingAlgorithm = keyAlgorithm === undefined ? undefined : SIGNING[keyAlgorithm];
    if (signingAlgorithm === undefined) {
      throw new CaError(
        'PCA_KEY_ALGORITHM_UNSUPPORTED',
        `ACM PCA certificate authority '${arn}' has a ${keyAlgorithm ?? 'unknown'} key, for which AWS IoT accepts no ` +
          'signature; use a CA with an RSA or NIST P-256/384/521 key',
      );
    }
    return { arn, signingAlgorithm };
  }
}
