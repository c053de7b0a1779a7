/**
 * Payload compression, in Temporal's own place for it: a payload codec, run by the worker outside the
 * workflow sandbox and by every client, never by workflow code (docs/configuration.md, "Payload
 * compression").
 *
 * The format is the one of the Go SDK's zlib codec (`converter.NewZlibCodec`): the payload's protobuf
 * bytes, zlib-compressed, as a payload of encoding `binary/zlib`. So a codec server built on Temporal's
 * own Go handler decodes what this service writes, and this one (src/codec-server.ts) what it writes.
 *
 * Decoding is always on; encoding only when asked (`PAYLOAD_COMPRESSION=zlib`). A release that cannot
 * read a compressed payload fails the workflow task that meets one, so compression is turned on only once
 * every worker and client of the namespace runs a release that decodes it (this one and later), and stays
 * readable after it is turned off again.
 */
import { deflateSync, inflateSync, constants } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The encoding Temporal's Go SDK names its zlib payloads with. */
export const ZLIB_ENCODING = 'binary/zlib';

export const PAYLOAD_COMPRESSIONS = ['off', 'zlib'] as const;
export type PayloadCompression = (typeof PAYLOAD_COMPRESSIONS)[number];

/**
 * Payloads below this are left as they are: a notification's input, a count, an answer of a few ids. What
 * compression is for are the lists (a run's answers, a follow-up's task urns, a resync's result).
 */
export const COMPRESS_FROM_BYTES = 1024;

/**
 * The most a compressed payload may inflate to: 8 times Temporal's 2 MB limit on one payload, and 32 times
 * the service's own budget (src/contract/payload-budget.ts). zlib inflates at up to ~1,000 to 1, so a
 * payload built to inflate without bound is refused at this size, not held in memory.
 */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

const ENCODING_KEY = 'encoding';
const ZLIB_ENCODING_BYTES = new TextEncoder().encode(ZLIB_ENCODING);

/** Why a `binary/zlib` payload could not be read: corrupt, or larger than `MAX_INFLATED_BYTES`. */
export class PayloadDecodeError extends Error {
  override readonly name = 'PayloadDecodeError';
  constructor(
    message: string,
    /** True when the payload was refused for what it would inflate to, not for being corrupt. */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export interface ZlibCodecOptions {
  /** Compress payloads of `fromBytes` or more; false: encode nothing (payloads go as they are). */
  compress: boolean;
  fromBytes?: number;
  maxInflatedBytes?: number;
}

/** True when a payload is one this codec wrote (`binary/zlib`). */
export function isCompressed(payload: Payload): boolean {
  const encoding = payload.metadata?.[ENCODING_KEY];
  return encoding !== undefined && encoding !== null && equalBytes(encoding, ZLIB_ENCODING_BYTES);
}

/** Compresses one payload; keeps it as it is when the compressed form would not be smaller. */
export function compressPayload(payload: Payload): Payload {
  const plain = temporal.api.common.v1.Payload.encode(payload).finish();
  // Level 1: most of the size at the least CPU. Task urns are random UUIDs under a shared prefix, and the
  // floor bench measured 200 KB of them to 68 KB at this level (docs/benchmarks.md).
  const compressed = deflateSync(plain, { level: constants.Z_BEST_SPEED });
  if (compressed.length >= plain.length) return payload;
  return { metadata: { [ENCODING_KEY]: ZLIB_ENCODING_BYTES }, data: compressed };
}

/** The payload a `binary/zlib` payload holds; any other payload as it is. */
export function decompressPayload(payload: Payload, maxInflatedBytes = MAX_INFLATED_BYTES): Payload {
  if (!isCompressed(payload)) return payload;
  let plain: Buffer;
  try {
    plain = inflateSync(payload.data ?? new Uint8Array(), { maxOutputLength: maxInflatedBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ERR_BUFFER_TOO_LARGE'
      ? new PayloadDecodeError(`a ${ZLIB_ENCODING} payload inflates past ${maxInflatedBytes} bytes`, true)
      : new PayloadDecodeError(`a ${ZLIB_ENCODING} payload is not zlib data (${(error as Error).message})`);
  }
  try {
    return temporal.api.common.v1.Payload.decode(plain);
  } catch (error) {
    throw new PayloadDecodeError(
      `a ${ZLIB_ENCODING} payload does not hold a payload (${(error as Error).message})`,
    );
  }
}

/** The codec every worker and client of the service uses: decodes always, encodes when `compress`. */
export function zlibCodec(options: ZlibCodecOptions): PayloadCodec {
  const fromBytes = options.fromBytes ?? COMPRESS_FROM_BYTES;
  const maxInflatedBytes = options.maxInflatedBytes ?? MAX_INFLATED_BYTES;
  return {
    encode: (payloads) =>
      Promise.resolve(
        options.compress
          ? payloads.map((payload) =>
              (payload.data?.length ?? 0) < fromBytes || isCompressed(payload)
                ? payload
                : compressPayload(payload),
            )
          : payloads,
      ),
    decode: (payloads) =>
      Promise.resolve(payloads.map((payload) => decompressPayload(payload, maxInflatedBytes))),
  };
}

/** The data converter of every worker and client of the service (`PAYLOAD_COMPRESSION`, default off). */
export function serviceDataConverter(compression: PayloadCompression = 'off'): {
  payloadCodecs: PayloadCodec[];
} {
  return { payloadCodecs: [zlibCodec({ compress: compression === 'zlib' })] };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
