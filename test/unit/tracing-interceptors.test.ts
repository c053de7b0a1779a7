/**
 * Tracing off costs nothing in the workflow sandbox: with the SDK's reusable V8 context every module a run
 * imports is evaluated again for each workflow run the worker creates, so the OpenTelemetry workflow
 * interceptors (and @opentelemetry/*, 1.7 MB of the bundle) are loaded by the runs that carry a trace and
 * by no other (src/workflows/tracing-interceptors.ts). A loading spy stands where the module is required.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

const OTEL_WORKFLOW = '@temporalio/interceptors-opentelemetry/lib/workflow';

function withLoadingSpy() {
  const loads: string[] = [];
  const executed: string[] = [];
  jest.resetModules();
  jest.doMock(OTEL_WORKFLOW, () => {
    loads.push(OTEL_WORKFLOW);
    return {
      OpenTelemetryInboundInterceptor: class {
        execute(input: unknown, next: (input: unknown) => unknown) {
          executed.push('traced execute');
          return next(input);
        }
      },
      OpenTelemetryOutboundInterceptor: class {},
      OpenTelemetryInternalsInterceptor: class {},
    };
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the spy is in place
  const module = require('../../src/workflows/tracing-interceptors') as {
    interceptors: () => WorkflowInterceptors;
  };
  return { loads, executed, factory: module.interceptors };
}

type Execute = (input: { headers: Record<string, unknown> }, next: (input: unknown) => unknown) => unknown;
type Schedule = (
  input: { headers: Record<string, unknown>; activityType: string },
  next: (input: { headers: Record<string, unknown> }) => unknown,
) => unknown;

/** The trace context as the client's OpenTelemetry interceptor writes it: W3C traceparent, flags last. */
const traceHeader = (flags: string): Record<string, Payload> => ({
  '_tracer-data': defaultPayloadConverter.toPayload({
    traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}`,
  }),
});

function scheduleOf(interceptors: WorkflowInterceptors): Schedule {
  const schedule = interceptors.outbound?.[0]?.scheduleActivity as unknown as Schedule | undefined;
  if (!schedule) throw new Error('no outbound scheduleActivity interceptor');
  return schedule;
}

function executeOf(interceptors: WorkflowInterceptors): Execute {
  const execute = interceptors.inbound?.[0]?.execute as unknown as Execute | undefined;
  if (!execute) throw new Error('no inbound execute interceptor');
  return execute;
}

afterEach(() => {
  jest.dontMock(OTEL_WORKFLOW);
  jest.resetModules();
});

test('a run without a trace never loads the OpenTelemetry interceptors', () => {
  const { loads, factory } = withLoadingSpy();
  const interceptors = factory();
  const result = executeOf(interceptors)({ headers: {} }, () => 'ran');
  expect(result).toBe('ran');
  expect(loads).toEqual([]);
});

test('a run started with a trace loads them and goes through them', () => {
  const { loads, executed, factory } = withLoadingSpy();
  const interceptors = factory();
  const result = executeOf(interceptors)({ headers: traceHeader('01') }, () => 'ran');
  expect(result).toBe('ran');
  expect(loads).toEqual([OTEL_WORKFLOW]);
  expect(executed).toEqual(['traced execute']);
});

test("a run whose trace the API's sampler left out loads none of them and carries the trace context on", () => {
  const { loads, executed, factory } = withLoadingSpy();
  const interceptors = factory();
  const header = traceHeader('00');
  expect(executeOf(interceptors)({ headers: header }, () => 'ran')).toBe('ran');
  // The activity it schedules gets the same context, unsampled: its spans are left out as well.
  const scheduled = scheduleOf(interceptors)(
    { headers: {}, activityType: 'postBatches' },
    (input) => input.headers,
  );
  expect(scheduled).toEqual(header);
  expect(loads).toEqual([]);
  expect(executed).toEqual([]);
});

test('a run without a trace schedules its activities without one', () => {
  const { factory } = withLoadingSpy();
  const interceptors = factory();
  executeOf(interceptors)({ headers: {} }, () => 'ran');
  expect(
    scheduleOf(interceptors)({ headers: {}, activityType: 'postBatches' }, (input) => input.headers),
  ).toEqual({});
});
