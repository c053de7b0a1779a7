import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ConfigError } from '../config';

/** OTEL_SERVICE_NAME when unset, per process. */
export const API_SERVICE_NAME = 'linkedin-job-resync-api';
export const WORKER_SERVICE_NAME = 'linkedin-job-resync-worker';

/** The name every span the service itself makes is recorded under (the interceptors use their own). */
export const TRACER_NAME = 'linkedin-job-resync';

export type TracingConfig = { enabled: false } | { enabled: true; serviceName: string; endpoint: string };

/** The OTLP exporter speaks JSON over HTTP (`http/json`); it cannot send protobuf or gRPC. */
const PROTOCOL = 'http/json';

/**
 * Tracing is on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else
 * OTEL_EXPORTER_OTLP_ENDPOINT) and OTEL_SDK_DISABLED is not `true`; off otherwise. The exporter reads the
 * same variables itself (and OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_*): here they are checked, so a wrong
 * one stops the process with a sentence rather than losing every span.
 */
export function tracingConfigFrom(env: NodeJS.ProcessEnv, defaultServiceName: string): TracingConfig {
  const set = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  if (set('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { enabled: false };
  const name = set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = set(name);
  if (endpoint === undefined) return { enabled: false };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`${name} is not a URL (e.g. http://otel-collector:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http:// or https:// URL, not ${url.protocol}`);
  }
  for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = set(variable);
    if (protocol !== undefined && protocol !== PROTOCOL) {
      throw new ConfigError(`${variable} must be ${PROTOCOL} (the only protocol this service exports with)`);
    }
  }
  return { enabled: true, serviceName: set('OTEL_SERVICE_NAME') ?? defaultServiceName, endpoint: url.href };
}

/** What a process with tracing on holds: its tracer, and what the worker's workflow spans go through. */
export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  /** Ends in the exporter; workflow spans, made inside the workflow sandbox, are handed to it too. */
  processor: SpanProcessor;
  /** Sends what is still buffered and stops; spans ended after it are dropped. */
  shutdown(): Promise<void>;
}

/**
 * Installs the process-wide tracer provider, the AsyncLocalStorage context (a span follows the async calls
 * made under it) and W3C trace context (what the Temporal interceptors write into workflow and activity
 * headers). Undefined when tracing is off: nothing is installed, the OpenTelemetry API stays the no-op it
 * is by default, and no interceptor is added anywhere.
 */
export function startTracing(config: TracingConfig): Tracing | undefined {
  if (!config.enabled) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: config.serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  // The propagator is the SDK's default (OTEL_PROPAGATORS, W3C trace context and baggage when unset).
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    resource,
    processor,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
