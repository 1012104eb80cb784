import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { CredentialProvider } from './sigv4.js';

/**
 * The default AWS credential chain (environment, shared config and credentials files with
 * profiles and SSO, web identity, container and instance roles). Its own module so the CLI loads
 * it, the heaviest dependency, only for `--auth iam`.
 */
export function defaultCredentials(): CredentialProvider {
  return fromNodeProviderChain();
}
