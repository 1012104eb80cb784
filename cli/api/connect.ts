import { UsageError } from '../errors.js';
import { bearerAuth, noAuth, type Authorizer } from './auth.js';
import { HttpClient } from './http-client.js';
import { ProvisioningApi } from './provisioning-api.js';
import { regionOfHost, sigV4Auth } from './sigv4.js';

export interface ConnectOptions {
  api?: string;
  auth?: string;
  token?: string;
  region?: string;
}

/** The API's URL: `--api`, else `PROVISION_API`, else the local stack (`PORT`, default 3000). */
export function apiUrlOf(options: ConnectOptions, env: NodeJS.ProcessEnv): URL {
  const text = options.api ?? env.PROVISION_API ?? `http://127.0.0.1:${env.PORT ?? '3000'}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--api ${text} is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--api ${text}: use http:// or https://`);
  return url;
}

/**
 * The API client the options ask for: `--auth iam` signs with SigV4 (credentials from the default
 * AWS chain: environment, profile, SSO, container or instance role; region from `--region`,
 * `AWS_REGION` or the execute-api host name); a token (`--token` or `PROVISION_TOKEN`) is sent as
 * a JWT bearer; otherwise nothing (the local stack).
 */
export async function connect(
  options: ConnectOptions,
  env: NodeJS.ProcessEnv,
  version: string,
): Promise<ProvisioningApi> {
  const url = apiUrlOf(options, env);
  const token = options.token ?? env.PROVISION_TOKEN;
  const mode = options.auth ?? (token !== undefined && token !== '' ? 'jwt' : 'none');
  let auth: Authorizer;
  switch (mode) {
    case 'none':
      auth = noAuth;
      break;
    case 'jwt':
      if (token === undefined || token === '')
        throw new UsageError('--auth jwt needs a token: --token or PROVISION_TOKEN');
      auth = bearerAuth(token);
      break;
    case 'iam': {
      if (options.token !== undefined) throw new UsageError('--auth iam and --token exclude each other');
      const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionOfHost(url.hostname);
      if (region === undefined)
        throw new UsageError(
          `--auth iam needs the API's region: --region, AWS_REGION, or an execute-api URL that names it`,
        );
      // Loaded only here: the credential chain is the heaviest part of the tool and the local stack never needs it.
      const { defaultCredentials } = await import('./aws-credentials.js');
      auth = sigV4Auth({ region, credentials: defaultCredentials() });
      break;
    }
    default:
      throw new UsageError(`--auth ${mode}: use none, iam or jwt`);
  }
  return new ProvisioningApi(new HttpClient(url, auth, `provision-cli/${version}`));
}
