import type { AttributeValue, Tracer } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { startTracing, tracingConfigFrom, WORKER_SERVICE_NAME, type Tracing } from './tracing';

/** What a worker adds for tracing: activity interceptors, and the sink the workflows' spans leave by. */
export interface WorkerTracing {
  activity: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** For the LinkedIn client's spans; undefined when tracing is off. */
  tracer: Tracer | undefined;
  /** Sends the spans still buffered. */
  shutdown(): Promise<void>;
}

/** The worker process's tracing, as the environment configures it (see `tracingConfigFrom`). */
export function startWorkerTracing(env: NodeJS.ProcessEnv): WorkerTracing {
  return workerTracing(startTracing(tracingConfigFrom(env, WORKER_SERVICE_NAME)));
}

/**
 * With tracing on, each activity runs in a span that is the child of the workflow's (read from the
 * activity's headers), and its log lines carry the trace and span ids; the workflows' spans (made in the
 * sandbox by src/workflows/tracing-interceptors.ts) go to the same exporter through the `exporter` sink.
 * Off, no interceptor at all; the sink is still there, doing nothing, for a resync an API with tracing on
 * started (its workflow then makes spans, and a sink the worker lacks would be logged as an error).
 */
export function workerTracing(tracing: Tracing | undefined): WorkerTracing {
  if (!tracing) {
    const sinks = { exporter: { export: { fn: () => undefined } } };
    return { activity: [], sinks, tracer: undefined, shutdown: () => Promise.resolve() };
  }
  const tracedActivities: ActivityInterceptorsFactory = (ctx) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  });
  return {
    activity: [tracedActivities],
    sinks: { exporter: makeWorkflowExporter(primitiveAttributesOnly(tracing.processor), tracing.resource) },
    tracer: tracing.tracer,
    shutdown: () => tracing.shutdown(),
  };
}

/**
 * The SDK copies the whole workflow info onto each workflow span; of it, only the plain values (ids,
 * type, task queue, attempt…) are kept, never the memo or search attributes objects.
 */
function primitiveAttributesOnly(processor: SpanProcessor): SpanProcessor {
  return {
    onStart: () => undefined,
    onEnd(span: ReadableSpan) {
      const attributes = span.attributes as Record<string, AttributeValue | object | undefined>;
      for (const [name, value] of Object.entries(attributes)) {
        if (!isPlain(value)) delete attributes[name];
      }
      processor.onEnd(span);
    },
    forceFlush: () => processor.forceFlush(),
    // The process's tracing shuts the processor down.
    shutdown: () => Promise.resolve(),
  };
}

function isPlain(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((item) => isPlain(item) && !Array.isArray(item));
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
