import type { MetricCounter, MetricMeter, MetricTags } from '@temporalio/common';
import type { JobFate, JobResult } from '../../src/contract';
import { WorkerMetrics } from '../../src/observability/worker-metrics';

interface Added {
  counter: string;
  value: number;
  tags: MetricTags;
}

/** A meter that records every `add`, as the runtime's native meter would receive them. */
function recordingMeter(): { meter: MetricMeter; added: Added[] } {
  const added: Added[] = [];
  const counter = (name: string, base: MetricTags): MetricCounter => ({
    name,
    kind: 'counter',
    valueType: 'int',
    add: (value, extraTags = {}) => added.push({ counter: name, value, tags: { ...base, ...extraTags } }),
    withTags: (tags) => counter(name, { ...base, ...tags }),
  });
  const meter = {
    createCounter: (name: string) => counter(name, {}),
    createHistogram: () => {
      throw new Error('not used');
    },
    createGauge: () => {
      throw new Error('not used');
    },
    withTags: () => meter,
  } as unknown as MetricMeter;
  return { meter, added };
}

const results = (fate: JobFate, count: number, from = 0): JobResult[] =>
  Array.from({ length: count }, (_, i) => ({ externalJobPostingId: `job-${from + i}`, fate }));

/** The counted jobs by counter and label set, summed. */
function totals(added: readonly Added[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const { counter, value, tags } of added) {
    const key = `${counter} ${JSON.stringify(Object.entries(tags).sort())}`;
    sums[key] = (sums[key] ?? 0) + value;
  }
  return sums;
}

describe('WorkerMetrics.jobsAnswered', () => {
  const answered = [
    ...results('UPDATED', 300),
    ...results('CREATED', 150, 300),
    ...results('REJECTED', 40, 450),
    ...results('NOT_IN_ATS', 10, 490),
  ];

  test('counts every job under its fate, with the queue and the application as labels', () => {
    const { meter, added } = recordingMeter();
    new WorkerMetrics(() => meter).jobsAnswered('resync', 'urn:li:developerApplication:7', answered);
    const labels = [
      ['application', 'urn:li:developerApplication:7'],
      ['task_queue', 'resync'],
    ];
    expect(totals(added)).toEqual({
      [`resync_jobs_sent ${JSON.stringify([...labels, ['operation', 'UPDATED']].sort())}`]: 300,
      [`resync_jobs_sent ${JSON.stringify([...labels, ['operation', 'CREATED']].sort())}`]: 150,
      [`resync_jobs_rejected ${JSON.stringify(labels)}`]: 40,
      [`resync_jobs_not_in_ats ${JSON.stringify(labels)}`]: 10,
    });
  });

  // Each add is a call into the runtime's native meter with its labels: one a job was a twentieth of the
  // worker's main thread in a storm of 500-job resyncs (docs/benchmarks.md).
  test('adds once for each fate the results hold, however many jobs', () => {
    const { meter, added } = recordingMeter();
    const metrics = new WorkerMetrics(() => meter);
    metrics.jobsAnswered('resync', 'urn:li:developerApplication:7', answered);
    expect(added).toHaveLength(4);
    metrics.jobsAnswered('resync', 'urn:li:developerApplication:7', []);
    expect(added).toHaveLength(4);
  });
});
