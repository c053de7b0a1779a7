import type { Tracer } from '@opentelemetry/api';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import { API_SERVICE_NAME, startTracing, tracingConfigFrom } from './tracing';

/** What the API process adds for tracing; all undefined (nothing installed) when tracing is off. */
export interface ApiTracing {
  /** For the request spans (src/observability/tracing-http.ts). */
  tracer: Tracer | undefined;
  /**
   * The Temporal client's interceptor: a span per start, signal-with-start, signal…, whose context it
   * writes into the workflow's headers, so the workflow's spans (in the worker) join the request's trace.
   */
  clientInterceptors: ClientInterceptors | undefined;
  /** Sends the spans still buffered. */
  shutdown(): Promise<void>;
}

/** The API process's tracing, as the environment configures it (see `tracingConfigFrom`). */
export function startApiTracing(env: NodeJS.ProcessEnv): ApiTracing {
  const tracing = startTracing(tracingConfigFrom(env, API_SERVICE_NAME));
  if (!tracing)
    return { tracer: undefined, clientInterceptors: undefined, shutdown: () => Promise.resolve() };
  return {
    tracer: tracing.tracer,
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    shutdown: () => tracing.shutdown(),
  };
}
