import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiError, ApiUnreachableError } from '../errors.js';
import type { UploadTicket } from './schemas.js';

/**
 * PUTs a file to the pre-signed URL the API handed out, streamed from disk with its exact length
 * (S3 refuses chunked uploads to a pre-signed PUT) and exactly the headers the ticket names.
 */
export async function uploadFile(ticket: UploadTicket, path: string): Promise<void> {
  const { size } = await stat(path);
  const url = new URL(ticket.uploadUrl);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(
      url,
      { method: ticket.method, headers: { ...ticket.headers, 'content-length': String(size) } },
      resolve,
    );
    req.on('error', (e) => {
      reject(new ApiUnreachableError(url.origin, e));
    });
    const file = createReadStream(path);
    file.on('error', (e) => req.destroy(e));
    file.pipe(req);
  });
  let body = '';
  for await (const chunk of response) body += String(chunk);
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300)
    throw new ApiError(
      status,
      'UPLOAD_FAILED',
      `Uploading the file to ${url.origin} failed with ${status}: ${body.replace(/\s+/g, ' ').slice(0, 200)}`,
    );
}
