import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the local server reads and throws away of a request body the app answered without reading
 * (a 413 refused on its Content-Length, a 415, a 406): clients such as Python's http.client and
 * curl send the whole body before they read the answer, so closing the connection under them
 * makes them report a broken pipe instead of the 413. Past this, the connection is closed.
 */
export const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;
/** A sender slower than this over the rest of its body is cut off. */
const DISCARD_TIMEOUT_MS = 60_000;

/**
 * Once the answer is sent, reads the rest of an unread body and discards it, so the client sees
 * the answer and the connection stays usable. Node's own clean-up of an unread body only runs when
 * nothing has touched it, and the app's request wrapper has (it pauses it once its buffer fills).
 */
export function discardUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    let discarded = 0;
    const cutOff = () => {
      cleanup();
      req.socket.destroy();
    };
    const timer = setTimeout(cutOff, DISCARD_TIMEOUT_MS);
    timer.unref();
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > MAX_DISCARDED_BYTES) cutOff();
    };
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
    };
    // The request wrapper's own reader would pause the stream again when its buffer is full.
    req.removeAllListeners('data');
    req.on('data', onData);
    req.once('end', cleanup);
    req.once('close', cleanup);
    req.resume();
  });
}
