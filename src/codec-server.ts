/**
 * A codec server for the compressed payloads (src/payload-codec.ts), as Temporal's Web UI and `temporal` CLI
 * call one: `POST <endpoint>/decode` and `POST <endpoint>/encode` with `{"payloads":[…]}` in protobuf's JSON
 * form (metadata values and data in base64), answered in the same form. Served on the API's admin listener
 * (`API_METRICS_HOST:API_METRICS_PORT`, loopback by default) at `/codec`, never on the public webhook port.
 *
 * It asks for no token: zlib is not a secret, so it tells a caller nothing the caller's own bytes did not
 * hold, and the Web UI, which calls it from the operator's browser, has no way to send the API's admin
 * token. What it bounds is the work a caller can ask of it: the body (`CODEC_MAX_BODY_BYTES`), the bytes it
 * inflates (`MAX_INFLATED_BYTES` over a request); and only the browser origins of `CODEC_CORS_ORIGINS` may
 * read its answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import {
  compressPayload,
  decompressPayload,
  isCompressed,
  MAX_INFLATED_BYTES,
  PayloadDecodeError,
} from './payload-codec';

/** The codec's path on the admin listener: the endpoint is `http://<API_METRICS_HOST>:<port>/codec`. */
export const CODEC_PATH = '/codec';

/** The largest request body: 4 MiB, gRPC's default message limit and twice Temporal's limit on a payload. */
export const CODEC_MAX_BODY_BYTES = 4 * 1024 * 1024;

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, { error: 'is not base64' });

const CodecRequest = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(10_000),
});

export interface CodecRoutesOptions {
  /** Browser origins the Web UI is served from (`https://temporal.example.com`); others get no CORS grant. */
  allowedOrigins: readonly string[];
  maxBodyBytes?: number;
  maxInflatedBytes?: number;
}

/** What the admin listener asks of an extra route: true when it answered the request. */
export type AdminRoute = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

class CodecError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The codec routes: POST /codec/decode, POST /codec/encode, and their CORS preflight. */
export function codecRoutes(options: CodecRoutesOptions): AdminRoute {
  const maxBodyBytes = options.maxBodyBytes ?? CODEC_MAX_BODY_BYTES;
  const maxInflatedBytes = options.maxInflatedBytes ?? MAX_INFLATED_BYTES;
  const allowed = new Set(options.allowedOrigins);
  return (req, res, path) => {
    const operation =
      path === `${CODEC_PATH}/decode` ? 'decode' : path === `${CODEC_PATH}/encode` ? 'encode' : undefined;
    if (operation === undefined) return false;
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin !== undefined && allowed.has(origin)
        ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
        : { Vary: 'Origin' };
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'POST',
          // What the Web UI sends: its namespace, and with "pass access token" its user's token.
          'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
          'Access-Control-Max-Age': '600',
        })
        .end();
      return true;
    }
    const fail = (error: unknown) => {
      const status =
        error instanceof CodecError ? error.status : error instanceof PayloadDecodeError ? 400 : 500;
      const errorMessage = status === 500 ? 'the codec failed' : (error as Error).message;
      if (!res.headersSent)
        res
          .writeHead(status, { ...cors, 'Content-Type': 'application/json', Connection: 'close' })
          .end(JSON.stringify({ errorMessage }));
    };
    if (req.method !== 'POST') {
      fail(new CodecError(405, `only POST ${CODEC_PATH}/${operation}`));
      return true;
    }
    readBody(req, maxBodyBytes)
      .then((body) => {
        const payloads = parseRequest(body);
        const answered =
          operation === 'decode' ? decode(payloads, maxInflatedBytes) : payloads.map(encodeOne);
        res
          .writeHead(200, { ...cors, 'Content-Type': 'application/json' })
          .end(JSON.stringify({ payloads: answered.map(toJson) }));
      })
      .catch(fail);
    return true;
  };
}

function encodeOne(payload: Payload): Payload {
  return isCompressed(payload) ? payload : compressPayload(payload);
}

/** Decodes every payload, the bytes inflated over the request bounded as one payload's are. */
function decode(payloads: Payload[], maxInflatedBytes: number): Payload[] {
  let left = maxInflatedBytes;
  const tooMuch = () => new PayloadDecodeError(`the payloads inflate past ${maxInflatedBytes} bytes`, true);
  return payloads.map((payload) => {
    if (!isCompressed(payload)) return payload;
    if (left <= 0) throw tooMuch();
    let decoded: Payload;
    try {
      decoded = decompressPayload(payload, left);
    } catch (error) {
      // Past what is left of the request's bound, not necessarily past one payload's.
      throw error instanceof PayloadDecodeError && error.tooLarge && left < maxInflatedBytes
        ? tooMuch()
        : error;
    }
    left -= (decoded.data?.length ?? 0) + metadataBytes(decoded);
    return decoded;
  });
}

function metadataBytes(payload: Payload): number {
  return Object.values(payload.metadata ?? {}).reduce((sum, value) => sum + (value?.length ?? 0), 0);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    return Promise.reject(new CodecError(413, `the body is larger than ${maxBytes} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        req.pause();
        reject(new CodecError(413, `the body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseRequest(body: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CodecError(400, 'the body is not JSON: {"payloads":[{"metadata":{…},"data":"…"}]}');
  }
  const parsed = CodecRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CodecError(400, `${issue?.path.join('.') || 'the body'}: ${issue?.message ?? 'is not valid'}`);
  }
  return parsed.data.payloads.map((payload) => ({
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  }));
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
