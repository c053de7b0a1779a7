import { heartbeatsIn } from '../../tools/bench/storm-histories';

describe("the storm's heartbeat count, from a worker's /metrics", () => {
  const served = (...lines: string[]) =>
    [
      '# TYPE temporal_request_total counter',
      ...lines,
      'temporal_num_pollers{poller_type="workflow_task"} 5',
    ].join('\n');

  test('sums RecordActivityTaskHeartbeat over its series', () => {
    expect(
      heartbeatsIn(
        served(
          'temporal_request_total{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="temporal-core-sdk"} 7',
          'temporal_request_total{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk"} 40',
          'temporal_request_total{namespace="other",operation="RecordActivityTaskHeartbeat",service_name="temporal-core-sdk"} 3',
        ),
      ),
    ).toBe(10);
  });

  test('is 0 when the worker counts its requests to Temporal and none was a heartbeat', () => {
    // Core serves no series for an operation it never called.
    expect(
      heartbeatsIn(
        served(
          'temporal_request_total{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk"} 40',
        ),
      ),
    ).toBe(0);
  });

  test('is unknown when the worker counts no request', () => {
    expect(heartbeatsIn('resyncs_completed_total{outcome="SUCCEEDED"} 1')).toBeNull();
  });
});
