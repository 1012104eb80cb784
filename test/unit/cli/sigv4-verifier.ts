import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent SigV4 check (AWS General Reference, "Signature Version 4 signing process": the
 * canonical request, the string to sign, the derived signing key), sharing no code with the
 * signer under test. For services other than S3 the path is normalised and each segment
 * URI-encoded once more on top of the encoding it has on the wire.
 */
export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as on the request line. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 unreserved characters stay; everything else is %XX (upper case). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = path.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, '%20'));
      const value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, '%20'));
      return [uriEncode(name), uriEncode(value)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

export interface Verdict {
  ok: boolean;
  reason?: string;
  signedHeaders?: string[];
}

export function verifySigV4(
  request: ReceivedRequest,
  credentials: Credentials,
  expected: { region: string; service: string; now: Date; maxSkewMs?: number },
): Verdict {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const authorization = header('authorization') ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (match === null) return { ok: false, reason: `no SigV4 Authorization header: '${authorization}'` };
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaderList = '', signature = ''] =
    match;
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, reason: 'unknown access key' };
  if (region !== expected.region || service !== expected.service)
    return { ok: false, reason: `scope ${region}/${service}` };
  const amzDate = header('x-amz-date') ?? '';
  if (!amzDate.startsWith(date)) return { ok: false, reason: 'x-amz-date does not match the scope' };
  const at = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(at - expected.now.getTime()) <= (expected.maxSkewMs ?? 5 * 60_000)))
    return { ok: false, reason: 'request time too far from now' };
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return { ok: false, reason: 'host and x-amz-date must be signed' };
  const payloadHash = sha256(request.body);
  const declared = header('x-amz-content-sha256');
  if (declared !== undefined && declared !== payloadHash)
    return { ok: false, reason: 'x-amz-content-sha256 mismatch' };

  const queryAt = request.target.indexOf('?');
  const path = queryAt === -1 ? request.target : request.target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : request.target.slice(queryAt + 1);
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service),
    'aws4_request',
  );
  const expectedSignature = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  const ok = given.length === expectedSignature.length && timingSafeEqual(given, expectedSignature);
  return ok ? { ok, signedHeaders } : { ok: false, reason: 'signature does not match' };
}
