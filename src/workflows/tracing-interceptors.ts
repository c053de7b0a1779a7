import type * as OpenTelemetryWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { defaultPayloadConverter, type Headers, type Payload } from '@temporalio/common';
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

/**
 * What a run's start headers say of its trace: none; one sampled (W3C trace flags, bit 0 set), which the
 * run records; or one the API's sampler left out, which the run only carries on (`carried`).
 */
type TraceOf = { kind: 'none' } | { kind: 'sampled' } | { kind: 'not sampled'; carried: Payload };

export function traceOf(headers: Headers): TraceOf {
  const carried = Object.prototype.hasOwnProperty.call(headers, TRACE_HEADER)
    ? headers[TRACE_HEADER]
    : undefined;
  if (carried === undefined) return { kind: 'none' };
  let traceparent: unknown;
  try {
    traceparent = defaultPayloadConverter.fromPayload<Record<string, unknown>>(carried).traceparent;
  } catch {
    return { kind: 'sampled' };
  }
  // version-traceId-spanId-flags; anything else is traced as before, to be safe.
  const flags = typeof traceparent === 'string' ? traceparent.split('-')[3] : undefined;
  if (flags === undefined || !/^[0-9a-f]{2}$/i.test(flags)) return { kind: 'sampled' };
  return (parseInt(flags, 16) & 1) === 1 ? { kind: 'sampled' } : { kind: 'not sampled', carried };
}

/**
 * The SDK's OpenTelemetry workflow interceptors, for a run started with a sampled trace (its start headers
 * carry one: the API had tracing on and its sampler kept the notification) and for it alone. A run whose
 * trace the sampler left out loads none of them: it only hands the same trace context on to the
 * activities, children and next runs it starts, so their spans are left out too (no orphan root spans),
 * at the cost of copying a header. Every other run (started by an API with tracing off, a drift schedule,
 * a history recorded before tracing) goes straight through: no span, no header, no yield, exactly as
 * without this module, so its replay is unchanged. A traced run's spans change no command either: they
 * add a header to what it schedules, which Temporal does not compare on replay. The spans leave the
 * sandbox through the worker's `exporter` sink (src/observability/tracing-worker.ts).
 */
export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  let trace: TraceOf = { kind: 'none' };
  let inbound: OpenTelemetryWorkflow.OpenTelemetryInboundInterceptor | undefined;
  let outbound: OpenTelemetryWorkflow.OpenTelemetryOutboundInterceptor | undefined;
  const tracedInbound = () => (inbound ??= new (openTelemetry().OpenTelemetryInboundInterceptor)());
  const tracedOutbound = () => (outbound ??= new (openTelemetry().OpenTelemetryOutboundInterceptor)());
  /** What a run not sampled starts carries its trace context on, unrecorded. */
  const carry = <T extends { headers: Headers }>(input: T): T =>
    trace.kind === 'not sampled'
      ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: trace.carried } }
      : input;
  const sampled = () => trace.kind === 'sampled';
  return {
    inbound: [
      {
        execute(input, next) {
          trace = traceOf(input.headers);
          return sampled() ? tracedInbound().execute(input, next) : next(input);
        },
        handleSignal(input, next) {
          return traceOf(input.headers).kind === 'sampled'
            ? tracedInbound().handleSignal(input, next)
            : next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity(input, next) {
          return sampled() ? tracedOutbound().scheduleActivity(input, next) : next(carry(input));
        },
        scheduleLocalActivity(input, next) {
          return sampled() ? tracedOutbound().scheduleLocalActivity(input, next) : next(carry(input));
        },
        startChildWorkflowExecution(input, next) {
          return sampled() ? tracedOutbound().startChildWorkflowExecution(input, next) : next(carry(input));
        },
        continueAsNew(input, next) {
          return sampled() ? tracedOutbound().continueAsNew(input, next) : next(carry(input));
        },
        signalWorkflow(input, next) {
          return sampled() ? tracedOutbound().signalWorkflow(input, next) : next(carry(input));
        },
        // Trace and span ids on the run's log lines.
        getLogAttributes(input, next) {
          return sampled() ? tracedOutbound().getLogAttributes(input, next) : next(input);
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
