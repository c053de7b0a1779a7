/**
 * An OTLP/HTTP receiver for the benches that trace (`--intake --traced`, `--storm --traced`): it counts the
 * spans it is sent (the JSON exporter's `"spanId"` fields) and drops them, answering as a collector does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SpanCounter {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Spans received so far. */
  spans(): number;
}

export async function startSpanCounter(stops: Array<() => Promise<unknown>>): Promise<SpanCounter> {
  let spans = 0;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      spans += body.split('"spanId"').length - 1;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => receiver.close(resolve)));
  return { endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, spans: () => spans };
}
