import { deflateSync } from 'node:zlib';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CODEC_MAX_BODY_BYTES, codecRoutes } from '../../src/codec-server';
import { serveMetrics, type MetricsServer } from '../../src/metrics-server';
import { Registry } from 'prom-client';
import { compressPayload, MAX_INFLATED_BYTES, ZLIB_ENCODING } from '../../src/payload-codec';

const UI = 'http://localhost:8233';
let admin: MetricsServer;

beforeAll(async () => {
  admin = await serveMetrics(new Registry(), { host: '127.0.0.1', port: 0 }, {}, [
    codecRoutes({ allowedOrigins: [UI] }),
  ]);
});

afterAll(async () => {
  await admin?.close();
});

/** A payload in protobuf's JSON form, as the Web UI and the CLI send it. */
function json(payload: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function fromJson(payload: { metadata: Record<string, string>; data: string }): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data, 'base64'),
  };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${admin.url}/codec/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const urns = Array.from({ length: 300 }, (_, i) => `urn:li:simpleJobPostingTask:${crypto.randomUUID()}-${i}`);

describe('the codec server on the admin listener (/codec)', () => {
  test('decodes what the service compressed, and leaves other payloads as they are', async () => {
    const small = defaultPayloadConverter.toPayload({ jobs: 3 });
    const compressed = compressPayload(defaultPayloadConverter.toPayload(urns));
    const response = await post('decode', { payloads: [json(compressed), json(small)] });
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: Parameters<typeof fromJson>[0][] };
    expect(payloads.map((payload) => defaultPayloadConverter.fromPayload(fromJson(payload)))).toEqual([
      urns,
      { jobs: 3 },
    ]);
  });

  test('encodes as the workers do, and what it encodes decodes', async () => {
    const plain = defaultPayloadConverter.toPayload(urns);
    const encoded = (await (await post('encode', { payloads: [json(plain)] })).json()) as {
      payloads: Parameters<typeof fromJson>[0][];
    };
    const [payload] = encoded.payloads;
    expect(Buffer.from(payload!.metadata.encoding!, 'base64').toString()).toBe(ZLIB_ENCODING);
    const decoded = (await (await post('decode', encoded)).json()) as {
      payloads: Parameters<typeof fromJson>[0][];
    };
    expect(defaultPayloadConverter.fromPayload(fromJson(decoded.payloads[0]!))).toEqual(urns);
  });

  test("grants CORS to the Web UI's origin only, and answers its preflight", async () => {
    const preflight = await fetch(`${admin.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const other = await post('decode', { payloads: [] }, { Origin: 'https://attacker.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const ui = await post('decode', { payloads: [] }, { Origin: UI });
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI);
  });

  test('refuses a payload that inflates without bound, over the whole request, with a sentence', async () => {
    const bomb: Payload = {
      metadata: { encoding: new TextEncoder().encode(ZLIB_ENCODING) },
      data: deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1)),
    };
    // Each half is within the bound alone; together they pass it.
    const half: Payload = {
      metadata: { encoding: new TextEncoder().encode(ZLIB_ENCODING) },
      data: deflateSync(
        Buffer.concat([
          Buffer.from([0x12, 0x83, 0x80, 0x80, 0x02]), // field 2 (data), length 4 MiB + 3, as a varint
          Buffer.alloc(4 * 1024 * 1024 + 3),
        ]),
      ),
    };
    const cases = [
      { payloads: [bomb], errorMessage: `a binary/zlib payload inflates past ${MAX_INFLATED_BYTES} bytes` },
      {
        payloads: [half, half, half, half, half],
        errorMessage: `the payloads inflate past ${MAX_INFLATED_BYTES} bytes`,
      },
    ];
    for (const { payloads, errorMessage } of cases) {
      const response = await post('decode', { payloads: payloads.map(json) });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ errorMessage });
    }
    // The listener still answers.
    expect((await fetch(`${admin.url}/healthz`)).status).toBe(200);
  });

  test('answers a malformed or oversized body 400 or 413 with errorMessage, and other methods 405', async () => {
    const notJson = await post('decode', '{"payloads":');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { errorMessage: string }).errorMessage).toMatch(/not JSON/);
    const notBase64 = await post('decode', { payloads: [{ data: '***' }] });
    expect(notBase64.status).toBe(400);
    expect(((await notBase64.json()) as { errorMessage: string }).errorMessage).toBe(
      'payloads.0.data: is not base64',
    );
    const corrupt = await post('decode', {
      payloads: [{ metadata: { encoding: Buffer.from(ZLIB_ENCODING).toString('base64') }, data: 'AAEC' }],
    });
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { errorMessage: string }).errorMessage).toMatch(/not zlib data/);
    const large = await post('decode', 'x'.repeat(CODEC_MAX_BODY_BYTES + 1));
    expect(large.status).toBe(413);
    const get = await fetch(`${admin.url}/codec/decode`);
    expect(get.status).toBe(405);
    expect((await fetch(`${admin.url}/codec/other`, { method: 'POST' })).status).toBe(404);
  });
});
