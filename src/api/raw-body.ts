import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

/**
 * Reads the request's exact bytes (the signature is over them), refusing more than `limit`. A refusal reads
 * no further: its answer closes the connection (`HttpError.closes`), so a client declaring or sending a
 * large body costs its headers and at most `limit` bytes.
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `the body is larger than the ${limit} bytes a notification may have`, true);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away or was too slow (the server's request timeout): not a failure of ours.
    throw new HttpError(408, 'the body did not arrive completely');
  }
  return Buffer.concat(chunks, size);
}
