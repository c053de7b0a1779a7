import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/JSON carries it, with the service that sent it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  status?: { code?: number; message?: string };
}

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<
        Omit<ReceivedSpan, 'service' | 'attributes' | 'events'> & {
          attributes?: KeyValue[];
          events?: Array<{ name: string; attributes?: KeyValue[] }>;
        }
      >;
    }>;
  }>;
}

/** An OTLP AnyValue as a plain value. */
function plain(value: Record<string, unknown>): unknown {
  if ('arrayValue' in value) {
    const values = (value.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? [];
    return values.map(plain);
  }
  if ('kvlistValue' in value) {
    return attributes((value.kvlistValue as { values?: KeyValue[] }).values);
  }
  const [first] = Object.values(value);
  return first;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));
}

export interface OtlpReceiver {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to: the exporters POST to `${url}/v1/traces`. */
  url: string;
  spans(): ReceivedSpan[];
  /** Every request body as it came, for a search of the raw text. */
  bodies(): string[];
  close(): Promise<void>;
}

/** An OTLP/HTTP receiver of traces in the JSON encoding (what @opentelemetry/exporter-trace-otlp-http sends). */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      bodies.push(body);
      const request = JSON.parse(body) as ExportRequest;
      for (const resourceSpans of request.resourceSpans ?? []) {
        const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            received.push({
              ...span,
              service,
              parentSpanId: span.parentSpanId ?? '',
              attributes: attributes(span.attributes),
              events: (span.events ?? []).map((event) => ({
                name: event.name,
                attributes: attributes(event.attributes),
              })),
            });
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    bodies: () => [...bodies],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The spans of one trace as an indented tree: service, name, duration and the attributes worth reading. */
export function traceTree(spans: readonly ReceivedSpan[], shown: readonly string[]): string {
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of spans)
    children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  const ids = new Set(spans.map((span) => span.spanId));
  const roots = spans.filter((span) => !ids.has(span.parentSpanId));
  const start = (span: ReceivedSpan) => BigInt(span.startTimeUnixNano);
  const lines: string[] = [];
  const t0 = roots.reduce(
    (min, span) => (start(span) < min ? start(span) : min),
    start(roots[0] ?? spans[0]!),
  );
  const visit = (span: ReceivedSpan, depth: number) => {
    const ms = (nanos: bigint) => (Number(nanos) / 1e6).toFixed(1);
    const took = BigInt(span.endTimeUnixNano) - start(span);
    const details = shown
      .filter((key) => span.attributes[key] !== undefined)
      .map((key) => `${key}=${String(span.attributes[key])}`);
    lines.push(
      `${'  '.repeat(depth)}${span.name}  [${span.service}]  +${ms(start(span) - t0)} ms, ${ms(took)} ms` +
        (details.length > 0 ? `  ${details.join(' ')}` : ''),
    );
    const below = [...(children.get(span.spanId) ?? [])].sort((a, b) => (start(a) < start(b) ? -1 : 1));
    for (const child of below) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return lines.join('\n');
}
