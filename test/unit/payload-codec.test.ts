import { deflateSync } from 'node:zlib';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  COMPRESS_FROM_BYTES,
  decompressPayload,
  isCompressed,
  MAX_INFLATED_BYTES,
  PayloadDecodeError,
  serviceDataConverter,
  zlibCodec,
  ZLIB_ENCODING,
} from '../../src/payload-codec';

const urns = (count: number) =>
  Array.from({ length: count }, (_, i) => `urn:li:simpleJobPostingTask:${crypto.randomUUID()}-${i}`);
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const encodingOf = (payload: Payload) =>
  new TextDecoder().decode(payload.metadata?.encoding ?? new Uint8Array());

/**
 * What Temporal's Go SDK writes (go.temporal.io/sdk v1.37.0, `converter.NewZlibCodec(ZlibCodecOptions{})`)
 * for a `json/plain` payload of 40 task urns (2,001 bytes): its `binary/zlib` payload's data, base64.
 */
const GO_SDK_ZLIB =
  'eJyU0S0OwkAQQGFLakgqOEA1DcwMvz0CCoEjiAKlWSi7TbdNuCY3wmBwvOef+pJJMqr8JVydr9PkHoOftU3pfPoeH7Oh80XjiuiebVPtwnkfYu98fSjjo5h/y+uQ39yrH7oqm/5zCD4UH4aPBT6W+FjhY42PDT629BBsLthcsLlgc8Hmgs0Fmws2F2wu2FyxuWJzxeaKzRWbKzZXbK7YXLG5YnPD5obNDZsbNjdsbtjcsLlhc8Pm9mN++gQAAP//bm62Vw==';

describe('the payload codec (PAYLOAD_COMPRESSION)', () => {
  it('compresses a payload of a kilobyte or more, and gives it back as it was', async () => {
    const codec = zlibCodec({ compress: true });
    const value = urns(500);
    const plain = payloadOf(value);
    const [encoded] = await codec.encode([plain]);
    expect(isCompressed(encoded!)).toBe(true);
    expect(encodingOf(encoded!)).toBe(ZLIB_ENCODING);
    expect(encoded!.data!.length).toBeLessThan(plain.data!.length * 0.6);
    const [decoded] = await codec.decode([encoded!]);
    expect(encodingOf(decoded!)).toBe('json/plain');
    expect(valueOf(decoded!)).toEqual(value);
  });

  it('leaves small payloads, and those that would not shrink, as they are', async () => {
    const codec = zlibCodec({ compress: true });
    const small = payloadOf({ jobs: 3 });
    expect(small.data!.length).toBeLessThan(COMPRESS_FROM_BYTES);
    const random = {
      metadata: { encoding: new TextEncoder().encode('binary/plain') },
      data: crypto.getRandomValues(new Uint8Array(4096)),
    };
    const [a, b] = await codec.encode([small, random]);
    expect(a).toBe(small);
    expect(b).toBe(random);
  });

  it('encodes nothing when compression is off, and still reads compressed payloads', async () => {
    const off = zlibCodec({ compress: false });
    const value = urns(100);
    const plain = payloadOf(value);
    expect(await off.encode([plain])).toEqual([plain]);
    const [written] = await zlibCodec({ compress: true }).encode([plain]);
    const [read] = await off.decode([written!]);
    expect(valueOf(read!)).toEqual(value);
    // The default data converter of the service is the same: off, and reading.
    const [readByDefault] = await serviceDataConverter().payloadCodecs[0]!.decode([written!]);
    expect(valueOf(readByDefault!)).toEqual(value);
  });

  it("reads what Temporal's Go SDK zlib codec writes", async () => {
    const payload: Payload = {
      metadata: { encoding: new TextEncoder().encode(ZLIB_ENCODING) },
      data: Buffer.from(GO_SDK_ZLIB, 'base64'),
    };
    const [decoded] = await zlibCodec({ compress: false }).decode([payload]);
    const value = valueOf(decoded!) as string[];
    expect(value).toHaveLength(40);
    expect(value[39]).toBe('urn:li:simpleJobPostingTask:00000039-go-fixture');
  });

  it('writes the format the Go SDK reads: zlib of the payload protobuf', async () => {
    const plain = payloadOf(urns(50));
    const [encoded] = await zlibCodec({ compress: true }).encode([plain]);
    const data = Buffer.from(encoded!.data!);
    // A zlib stream (RFC 1950): CMF 0x78, and the header checksum Go's zlib.NewReader verifies.
    expect(data[0]).toBe(0x78);
    expect((data[0]! * 256 + data[1]!) % 31).toBe(0);
    const inner = temporal.api.common.v1.Payload.decode((await import('node:zlib')).inflateSync(data));
    expect(Buffer.from(inner.data).equals(Buffer.from(plain.data!))).toBe(true);
  });

  it('refuses a payload that inflates past its bound, and one that is not zlib, with a sentence', () => {
    const bomb: Payload = {
      metadata: { encoding: new TextEncoder().encode(ZLIB_ENCODING) },
      data: deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1)),
    };
    expect(bomb.data!.length).toBeLessThan(64 * 1024);
    expect(() => decompressPayload(bomb)).toThrow(PayloadDecodeError);
    expect(() => decompressPayload(bomb)).toThrow(`inflates past ${MAX_INFLATED_BYTES} bytes`);
    const garbage: Payload = {
      metadata: { encoding: new TextEncoder().encode(ZLIB_ENCODING) },
      data: new Uint8Array([1, 2, 3]),
    };
    expect(() => decompressPayload(garbage)).toThrow(/is not zlib data/);
    const notAPayload: Payload = {
      metadata: { encoding: new TextEncoder().encode(ZLIB_ENCODING) },
      data: deflateSync(Buffer.from([0xff, 0xff, 0xff])),
    };
    expect(() => decompressPayload(notAPayload)).toThrow(/does not hold a payload/);
  });

  it('never compresses a payload twice', async () => {
    const codec = zlibCodec({ compress: true, fromBytes: 1 });
    const [once] = await codec.encode([payloadOf(urns(100))]);
    const [twice] = await codec.encode([once!]);
    expect(twice).toBe(once);
  });
});
