/** What the floor bench's activities answer (floor-worker.ts), and how `--compress` encodes payloads. */
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * About `bytes` of JSON: urns of LinkedIn's task shape (a random UUID each, as LinkedIn's are: ~70 bytes
 * quoted and comma'd), none when 0.
 */
export function urnsOf(bytes: number): string[] | undefined {
  if (bytes <= 0) return undefined;
  const urn = () => `urn:li:simpleJobPostingTask:${randomUUID()}`;
  return Array.from({ length: Math.max(1, Math.round(bytes / (urn().length + 3))) }, urn);
}

const DEFLATED = 'binary/deflate-raw';

/** What `--compress` deflates: the payloads of a kilobyte or more. */
export const COMPRESS_FROM_BYTES = 1024;

/**
 * `--compress`: Temporal's own place for it, a payload codec (run by the worker outside the workflow
 * sandbox, and by the client): payloads of `minBytes` or more are deflated, the rest left as they are.
 */
export function deflateCodec(minBytes: number): PayloadCodec {
  return {
    encode: (payloads) =>
      Promise.resolve(
        payloads.map((payload) =>
          (payload.data?.length ?? 0) < minBytes
            ? payload
            : {
                metadata: { encoding: new TextEncoder().encode(DEFLATED) },
                data: deflateRawSync(temporal.api.common.v1.Payload.encode(payload).finish(), { level: 1 }),
              },
        ),
      ),
    decode: (payloads) =>
      Promise.resolve(
        payloads.map((payload) =>
          new TextDecoder().decode(payload.metadata?.encoding ?? new Uint8Array()) === DEFLATED
            ? temporal.api.common.v1.Payload.decode(inflateRawSync(payload.data ?? new Uint8Array()))
            : payload,
        ),
      ),
  };
}
