/** What the floor bench's activities answer (floor-worker.ts), and how `--compress` encodes payloads. */
import { randomUUID } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import { zlibCodec } from '../../../src/payload-codec';

/**
 * About `bytes` of JSON: urns of LinkedIn's task shape (a random UUID each, as LinkedIn's are: ~70 bytes
 * quoted and comma'd), none when 0.
 */
export function urnsOf(bytes: number): string[] | undefined {
  if (bytes <= 0) return undefined;
  const urn = () => `urn:li:simpleJobPostingTask:${randomUUID()}`;
  return Array.from({ length: Math.max(1, Math.round(bytes / (urn().length + 3))) }, urn);
}

/** What `--compress` deflates: the payloads of a kilobyte or more, as PAYLOAD_COMPRESSION=zlib does. */
export { COMPRESS_FROM_BYTES } from '../../../src/payload-codec';

/**
 * `--compress`: the service's own payload codec (src/payload-codec.ts, run by the worker outside the
 * workflow sandbox, and by the client), so the floor measures what PAYLOAD_COMPRESSION=zlib ships.
 */
export function deflateCodec(minBytes: number): PayloadCodec {
  return zlibCodec({ compress: true, fromBytes: minBytes });
}
