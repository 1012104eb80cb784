/**
 * How requests prove who sends them: nothing (the local stack), a JWT bearer token (a deployed
 * stack with a Cognito/OIDC authorizer), or SigV4 with the caller's AWS credentials (a deployed
 * stack with IAM authorisation).
 */
export interface SignableRequest {
  method: string;
  url: URL;
  /** The headers that will be sent (lower-case names), the `host` header included. */
  headers: Record<string, string>;
  body: string | undefined;
}

export interface Authorizer {
  /** Headers to add to this exact request (signatures cover method, URL, headers and body). */
  headersFor(request: SignableRequest): Promise<Record<string, string>>;
}

export const noAuth: Authorizer = { headersFor: () => Promise.resolve({}) };

export function bearerAuth(token: string): Authorizer {
  return { headersFor: () => Promise.resolve({ authorization: `Bearer ${token}` }) };
}
