import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tracer } from '@opentelemetry/api';
import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { startTracing, tracingConfigFrom } from '../../src/observability/tracing';
import { workerTracing, type WorkerTracing } from '../../src/observability/tracing-worker';

export interface BenchTracing {
  /** The webhook's client: with the tracing interceptor when traced. */
  client: Client;
  tracer: Tracer | undefined;
  worker: WorkerTracing | undefined;
  /** Spans the OTLP receiver was sent so far (0 untraced). */
  spans(): number;
}

/**
 * `--traced`: the intake bench's API and worker trace as in production, exporting over OTLP/HTTP to a
 * receiver in the bench's process that counts the spans and drops them. Untraced: nothing installed.
 */
export async function benchTracing(
  traced: boolean,
  client: Client,
  stops: Array<() => Promise<unknown>>,
): Promise<BenchTracing> {
  if (!traced) return { client, tracer: undefined, worker: undefined, spans: () => 0 };
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
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  const tracing = startTracing(tracingConfigFrom(process.env, 'linkedin-job-resync-bench'));
  if (!tracing) throw new Error('tracing did not start');
  stops.push(() => tracing.shutdown());
  return {
    client: new Client({
      connection: client.connection,
      namespace: 'default',
      interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    }),
    tracer: tracing.tracer,
    worker: workerTracing(tracing),
    spans: () => spans,
  };
}
