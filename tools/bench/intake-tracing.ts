import type { Tracer } from '@opentelemetry/api';
import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { startTracing, tracingConfigFrom } from '../../src/observability/tracing';
import { workerTracing, type WorkerTracing } from '../../src/observability/tracing-worker';
import { startSpanCounter } from './span-counter';

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
 * receiver in the bench's process that counts the spans and drops them (span-counter.ts). Untraced: nothing installed.
 */
export async function benchTracing(
  traced: boolean,
  client: Client,
  stops: Array<() => Promise<unknown>>,
): Promise<BenchTracing> {
  if (!traced) return { client, tracer: undefined, worker: undefined, spans: () => 0 };
  const counter = await startSpanCounter(stops);
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = counter.endpoint;
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
    spans: () => counter.spans(),
  };
}
