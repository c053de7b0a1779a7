import type { IncomingMessage } from 'node:http';
import type { BodyShare } from './body-budget';
import { HttpError } from './http-error';

/** Seconds a client is asked to wait (`Retry-After`) when the API holds all the body bytes it may. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * Reads the request's exact bytes (the signature is over them), refusing more than `limit` (413) and more
 * than the API's body budget has left (503, `Retry-After`). A refusal reads no further: its answer closes
 * the connection (`HttpError.closes`), so a client declaring or sending a large body costs its headers
 * and at most `limit` bytes, and all clients together at most the budget. What was read stays taken from
 * `share` until the caller releases it (the request is handled).
 */
export async function readRawBody(req: IncomingMessage, limit: number, share: BodyShare): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `the body is larger than the ${limit} bytes a notification may have`, true);
  const busy = () =>
    new HttpError(503, 'the server holds as many request bodies as it may; deliver again shortly', true, {
      'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  // A declared length that cannot fit now is refused before a byte of it is read.
  if (Number.isFinite(declared) && !share.fits(declared)) throw busy();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      if (!share.take(chunk.length)) throw busy();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away or was too slow (the server's request timeout): not a failure of ours.
    throw new HttpError(408, 'the body did not arrive completely');
  }
  return Buffer.concat(chunks, size);
}
