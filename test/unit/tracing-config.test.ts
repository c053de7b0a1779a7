import { trace } from '@opentelemetry/api';
import { ConfigError } from '../../src/config';
import { API_SERVICE_NAME, startTracing, tracingConfigFrom } from '../../src/observability/tracing';
import { startApiTracing } from '../../src/observability/tracing-api';
import { workerTracing } from '../../src/observability/tracing-worker';

describe('tracing configuration', () => {
  test('off without an OTLP endpoint, and with OTEL_SDK_DISABLED=true', () => {
    expect(tracingConfigFrom({}, API_SERVICE_NAME)).toEqual({ enabled: false });
    expect(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, API_SERVICE_NAME)).toEqual({
      enabled: false,
    });
    expect(
      tracingConfigFrom(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' },
        API_SERVICE_NAME,
      ),
    ).toEqual({ enabled: false });
  });

  test('on with either endpoint; the traces one wins; OTEL_SERVICE_NAME over the default', () => {
    expect(
      tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, API_SERVICE_NAME),
    ).toEqual({
      enabled: true,
      serviceName: 'linkedin-job-resync-api',
      endpoint: 'http://collector:4318/',
    });
    expect(
      tracingConfigFrom(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
          OTEL_SERVICE_NAME: 'resync-eu',
        },
        API_SERVICE_NAME,
      ),
    ).toEqual({ enabled: true, serviceName: 'resync-eu', endpoint: 'https://traces.example/v1/traces' });
  });

  test.each([
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https://',
    ],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not a URL'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/json',
    ],
  ])('%j is refused naming the variable', (env, message) => {
    expect(() => tracingConfigFrom(env, API_SERVICE_NAME)).toThrow(ConfigError);
    expect(() => tracingConfigFrom(env, API_SERVICE_NAME)).toThrow(message);
  });

  test('off installs nothing: no tracer, no interceptor, the OpenTelemetry API stays a no-op', () => {
    expect(startTracing({ enabled: false })).toBeUndefined();
    const api = startApiTracing({});
    expect([api.tracer, api.clientInterceptors]).toEqual([undefined, undefined]);
    const worker = workerTracing(undefined);
    expect([worker.activity, worker.tracer]).toEqual([[], undefined]);
    trace.getTracer('x').startActiveSpan('nothing', (span) => {
      expect(span.isRecording()).toBe(false);
      expect(trace.getActiveSpan()).toBeUndefined();
      span.end();
    });
  });
});
