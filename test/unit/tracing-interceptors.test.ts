/**
 * Tracing off costs nothing in the workflow sandbox: with the SDK's reusable V8 context every module a run
 * imports is evaluated again for each workflow run the worker creates, so the OpenTelemetry workflow
 * interceptors (and @opentelemetry/*, 1.7 MB of the bundle) are loaded by the runs that carry a trace and
 * by no other (src/workflows/tracing-interceptors.ts). A loading spy stands where the module is required.
 */
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
  const result = executeOf(interceptors)({ headers: { '_tracer-data': {} } }, () => 'ran');
  expect(result).toBe('ran');
  expect(loads).toEqual([OTEL_WORKFLOW]);
  expect(executed).toEqual(['traced execute']);
});
