import type * as OpenTelemetryWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Headers } from '@temporalio/common';
import type { WorkflowInterceptors, WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * The SDK's OpenTelemetry workflow interceptors, loaded by the first traced run that needs them. Not imported
 * at the top: the worker's reusable V8 context evaluates every module a run imports again for each run it
 * creates, and these (with @opentelemetry/*) are most of the bundle. Untraced runs never evaluate them.
 */
function openTelemetry(): typeof OpenTelemetryWorkflow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazily, see above; bundled by webpack
  return require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OpenTelemetryWorkflow;
}

/** Where the Temporal client's OpenTelemetry interceptor writes the trace context (its TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

const carriesTrace = (headers: Headers) => Object.prototype.hasOwnProperty.call(headers, TRACE_HEADER);

/**
 * The SDK's OpenTelemetry workflow interceptors, for a run started with a trace (its start headers carry
 * one: the API had tracing on) and for it alone. Every other run (started by an API with tracing off, a
 * drift schedule, a history recorded before tracing) goes straight through: no span, no header, no yield,
 * exactly as without this module, so its replay is unchanged. A traced run's spans change no command
 * either: they add a header to the activities it schedules, which Temporal does not compare on replay.
 * The spans leave the sandbox through the worker's `exporter` sink (src/observability/tracing-worker.ts).
 */
export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  let traced = false;
  let inbound: OpenTelemetryWorkflow.OpenTelemetryInboundInterceptor | undefined;
  let outbound: OpenTelemetryWorkflow.OpenTelemetryOutboundInterceptor | undefined;
  const tracedInbound = () => (inbound ??= new (openTelemetry().OpenTelemetryInboundInterceptor)());
  const tracedOutbound = () => (outbound ??= new (openTelemetry().OpenTelemetryOutboundInterceptor)());
  return {
    inbound: [
      {
        execute(input, next) {
          traced = carriesTrace(input.headers);
          return traced ? tracedInbound().execute(input, next) : next(input);
        },
        handleSignal(input, next) {
          return carriesTrace(input.headers) ? tracedInbound().handleSignal(input, next) : next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity(input, next) {
          return traced ? tracedOutbound().scheduleActivity(input, next) : next(input);
        },
        scheduleLocalActivity(input, next) {
          return traced ? tracedOutbound().scheduleLocalActivity(input, next) : next(input);
        },
        startChildWorkflowExecution(input, next) {
          return traced ? tracedOutbound().startChildWorkflowExecution(input, next) : next(input);
        },
        continueAsNew(input, next) {
          return traced ? tracedOutbound().continueAsNew(input, next) : next(input);
        },
        signalWorkflow(input, next) {
          return traced ? tracedOutbound().signalWorkflow(input, next) : next(input);
        },
        // Trace and span ids on the run's log lines.
        getLogAttributes(input, next) {
          return traced ? tracedOutbound().getLogAttributes(input, next) : next(input);
        },
      },
    ],
    internals: [
      {
        dispose(input, next) {
          if (inbound === undefined && outbound === undefined) return next(input);
          // Its work (the run's context released, then `next`) is done before its promise is returned.
          void new (openTelemetry().OpenTelemetryInternalsInterceptor)().dispose(input, next);
        },
      },
    ],
  };
};
