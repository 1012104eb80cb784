import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Authorizer, SignableRequest } from './auth.js';

/** The credentials SigV4 needs, as every AWS SDK credential provider yields them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
export type CredentialProvider = () => Promise<AwsCredentials>;

type SignInput = Parameters<SignatureV4['sign']>[0];

/**
 * SigV4 for API Gateway (`execute-api`): the AWS SDK's own signer over the request exactly as it
 * will be sent. Credentials come from the provider on every request, so expiring session
 * credentials (SSO, roles) are refreshed by the provider rather than cached here.
 */
export function sigV4Auth(options: {
  region: string;
  credentials: CredentialProvider;
  service?: string;
  /** For tests: the signing time. */
  now?: () => Date;
}): Authorizer {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: true,
    uriEscapePath: true,
  });
  return {
    async headersFor(request: SignableRequest): Promise<Record<string, string>> {
      const { url } = request;
      const query: Record<string, string | string[]> = {};
      for (const [name, value] of url.searchParams) {
        const previous = query[name];
        query[name] =
          previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
      }
      const input: SignInput = {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port !== '' ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...request.headers },
        ...(request.body !== undefined ? { body: request.body } : {}),
      };
      const signed = await signer.sign(
        input,
        options.now !== undefined ? { signingDate: options.now() } : {},
      );
      // Only what the signer added: the caller already has its own headers.
      const added: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) {
        if (request.headers[name] === undefined) added[name] = value;
      }
      return added;
    },
  };
}

/** `abc123.execute-api.eu-west-1.amazonaws.com` names its region; other hosts do not. */
export function regionOfHost(hostname: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(hostname)?.[1];
}
