import { msToTs } from '@temporalio/common/lib/time';
import { breakdownOf } from '../../tools/bench/resync-breakdown';
import { pathText } from '../../tools/bench/storm-report';
import {
  addHistory,
  countsPerThousand,
  cpuJobsPerSecond,
  dispatchedWhileWaiting,
  emptyCounts,
  floorJobsPerSecond,
  floorMs,
  kneeReason,
  lostJobs,
  nearestRank,
  spreadOf,
  throttleFigures,
} from '../../tools/bench/storm-figures';
import { parseStormOptions } from '../../tools/bench/storm-options';
import { kneeStopOf, type StormFigures } from '../../tools/bench/storm-measures';
import { renderTracingCost } from '../../tools/bench/storm-report';

const A = 'urn:li:developerApplication:1';
const B = 'urn:li:developerApplication:2';

describe('the storm bench figures', () => {
  it('takes percentiles by nearest rank, and none of nothing', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(nearestRank(values, 0.5)).toBe(50);
    expect(nearestRank(values, 0.99)).toBe(99);
    expect(spreadOf([3, 1, 2])).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
    expect(spreadOf([])).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it('gives an application its floor as calls of 100 jobs one after another', () => {
    expect(floorMs(500, 100)).toBe(500);
    expect(floorMs(501, 100)).toBe(600);
    expect(floorMs(3, 100)).toBe(100);
  });

  it('sets the throughput beside every floor run in parallel from its receipt, and beside the CPU', () => {
    // Two applications of 500 jobs received 1 s apart, each a 0.5 s floor: 1,000 jobs in 1.5 s.
    expect(floorJobsPerSecond([10_000, 11_000], 500, 100)).toBeCloseTo(666.67, 1);
    expect(floorJobsPerSecond([], 500, 100)).toBeNull();
    expect(cpuJobsPerSecond(2, 0.32)).toBeCloseTo(6_250, 0);
    expect(cpuJobsPerSecond(2, null)).toBeNull();
  });

  it("counts Temporal's work from a history's event types, per 1,000 jobs", () => {
    const counts = emptyCounts();
    addHistory(
      counts,
      [
        'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
        'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
        'EVENT_TYPE_WORKFLOW_TASK_STARTED',
        'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
        'EVENT_TYPE_TIMER_STARTED',
        'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      ],
      2_000,
    );
    addHistory(counts, ['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_COMPLETED'], 500);
    expect(counts).toEqual({
      workflowRuns: 2,
      workflowTasks: 2,
      activityTasks: 1,
      timers: 1,
      childWorkflows: 1,
      signalsReceived: 1,
      signalsSent: 1,
      historyEvents: 11,
      historyBytes: 2_500,
    });
    expect(countsPerThousand(counts, 500)).toMatchObject({ workflowTasks: 4, historyBytes: 5_000 });
  });

  it('counts 429s, the wait after each, and the calls that came before their Retry-After', () => {
    const calls = [
      { developerApplicationUrn: A, status: 200, startedAt: 0, endedAt: 100 },
      { developerApplicationUrn: A, status: 429, startedAt: 200, endedAt: 210, retryAfterSeconds: 2 },
      { developerApplicationUrn: A, status: 200, startedAt: 2_300, endedAt: 2_400 },
      { developerApplicationUrn: B, status: 429, startedAt: 0, endedAt: 10, retryAfterSeconds: 5 },
      { developerApplicationUrn: B, status: 200, startedAt: 4_010, endedAt: 4_100 },
    ];
    const figures = throttleFigures(calls, 10_000);
    expect(figures.throttled).toBe(2);
    expect(figures.waitedMs).toBe(2_090 + 4_000);
    expect(figures.early).toEqual([{ developerApplicationUrn: B, earlyByMs: 1_000 }]);
  });

  it('finds the jobs neither accepted nor reported as not sent, by id or by count when the list was cut', () => {
    const ids = ['a', 'b', 'c', 'd'];
    expect(lostJobs(ids, new Set(['a', 'b']), { ids: new Set(['c', 'd']), notSentCount: 2 })).toEqual({
      lost: 0,
      examples: [],
    });
    expect(lostJobs(ids, new Set(['a']), { ids: new Set(['c']), notSentCount: 1 })).toEqual({
      lost: 2,
      examples: ['b', 'd'],
    });
    expect(lostJobs(ids, new Set(['a']), { ids: new Set(['b']), notSentCount: 3 }).lost).toBe(0);
    expect(lostJobs(ids, new Set(['a']), { ids: new Set(['b']), notSentCount: 2 }).lost).toBe(1);
  });

  it('marks the knee where the p99 passes the deadline, a resync misses it or the CPU is spent', () => {
    expect(kneeReason({ p99Ms: 1_000, missed: 0, machineBusy: 0.5 }, 60_000)).toBeUndefined();
    expect(kneeReason({ p99Ms: 61_000, missed: 1, machineBusy: 0.5 }, 60_000)).toBe('p99 past the deadline');
    expect(kneeReason({ p99Ms: 1_000, missed: 2, machineBusy: 0.5 }, 60_000)).toMatch(/2 resync/);
    expect(kneeReason({ p99Ms: 1_000, missed: 0, machineBusy: 0.97 }, 60_000)).toBe('the CPU is spent');
  });

  it("--knee stops where the machine's CPU is spent, though the storm's own processes use less of it", () => {
    const step = (stormCpuShare: number, machineCpuBusy: number) => ({
      receiptToLastUpdateMs: { count: 200, p50: 12_000, p99: 20_000, max: 21_000 },
      missedDeadline: 0,
      throughput: {
        jobsPerSecond: 4_000,
        floorMs: 500,
        floorJobsPerSecond: 18_000,
        cpus: 2,
        cpuJobsPerSecond: 3_300,
        machineCpuBusy,
        stormCpuShare,
      },
    });
    // The 200-application step of a knee run: the sandbox playing LinkedIn took the rest.
    expect(kneeStopOf(step(0.86, 0.966), 30 * 60_000)).toBe('the CPU is spent');
    expect(kneeStopOf(step(0.83, 0.936), 30 * 60_000)).toBeUndefined();
  });
});

describe('npm run bench -- --storm options', () => {
  it('defaults to 1,000 applications of 500 jobs at 100 ms on the production path', () => {
    expect(parseStormOptions(['--storm'])).toMatchObject({
      apps: 1_000,
      jobs: 500,
      latencyMs: 100,
      store: 'postgres',
      temporal: 'dev',
      workers: 1,
      small: 0,
      deadlineMs: 30 * 60_000,
      throttle: null,
      knee: false,
      traced: false,
      fairness: false,
      compress: false,
    });
  });

  it('--compress runs the API and the worker(s) with PAYLOAD_COMPRESSION=zlib', () => {
    expect(parseStormOptions(['--compress']).compress).toBe(true);
  });

  it("--fairness turns on dispatch by priority and fairness key, on the dev server and on Temporal's server", () => {
    expect(parseStormOptions(['--fairness']).fairness).toBe(true);
    expect(parseStormOptions(['--large-resync-jobs', '100']).largeResyncJobs).toBe(100);
    expect(parseStormOptions([]).largeResyncJobs).toBeUndefined();
    expect(parseStormOptions(['--fairness', '--temporal', 'production'])).toMatchObject({
      fairness: true,
      temporal: 'production',
    });
  });

  it("--partitions and --write-partitions set the dev server's task queue partitions", () => {
    expect(parseStormOptions([]).partitions).toEqual({});
    expect(parseStormOptions(['--partitions', '1']).partitions).toEqual({ read: 1, write: 1 });
    expect(parseStormOptions(['--write-partitions', '1']).partitions).toEqual({ write: 1 });
    expect(parseStormOptions(['--partitions', '4', '--write-partitions', '1']).partitions).toEqual({
      read: 4,
      write: 1,
    });
    expect(() => parseStormOptions(['--partitions', '1', '--write-partitions', '2'])).toThrow(
      /cannot exceed --partitions/,
    );
    expect(() => parseStormOptions(['--partitions', '0'])).toThrow(/integer of at least 1/);
    expect(() => parseStormOptions(['--write-partitions', '1', '--temporal', 'production'])).toThrow(
      /dev server's task queue partitions/,
    );
  });

  it('--traced compares tracing off and on in one storm each, not along the knee', () => {
    expect(parseStormOptions(['--traced']).traced).toBe(true);
    expect(() => parseStormOptions(['--traced', '--knee'])).toThrow(/does not step with --knee/);
    expect(parseStormOptions(['--traced', '--trace-sample', '0.01']).traceSample).toBe(0.01);
    expect(() => parseStormOptions(['--trace-sample', '0.01'])).toThrow(/goes with --traced/);
    expect(() => parseStormOptions(['--traced', '--trace-sample', '2'])).toThrow(/ratio from 0 to 1/);
  });

  it("throttles at LinkedIn's 2,000 records a minute unless told otherwise", () => {
    expect(parseStormOptions(['--throttle']).throttle).toEqual({ records: 2_000, windowMs: 60_000 });
    expect(
      parseStormOptions(['--throttle', '--throttle-records', '200', '--throttle-window', '5s']).throttle,
    ).toEqual({ records: 200, windowMs: 5_000 });
  });

  it("runs on Temporal's server on PostgreSQL with --temporal production, with either store and worker count", () => {
    expect(parseStormOptions(['--storm', '--temporal', 'production']).temporal).toBe('production');
    expect(parseStormOptions(['--temporal=dev']).temporal).toBe('dev');
    expect(parseStormOptions(['--temporal', 'production', '--workers', '2'])).toMatchObject({
      temporal: 'production',
      workers: 2,
    });
    expect(parseStormOptions(['--temporal', 'production', '--store', 'embedded'])).toMatchObject({
      temporal: 'production',
      store: 'embedded',
    });
  });

  it('names what is wrong in a bad option', () => {
    expect(() => parseStormOptions(['--temporal', 'cloud'])).toThrow(
      '--temporal takes dev or production; got cloud',
    );
    expect(() => parseStormOptions(['--temporal'])).toThrow(/--temporal/);
    expect(() => parseStormOptions(['--apps', 'many'])).toThrow(/--apps takes an integer/);
    expect(() => parseStormOptions(['--store', 'mysql'])).toThrow(/--store takes postgres or embedded/);
    expect(() => parseStormOptions(['--workers', '3'])).toThrow(/--workers takes 1 or 2/);
    expect(() => parseStormOptions(['--store', 'embedded', '--workers', '2'])).toThrow(/one process/);
    expect(() => parseStormOptions(['--knee-steps', '100,50'])).toThrow(/must grow/);
    expect(() => parseStormOptions(['--deadline', 'soon'])).toThrow(/--deadline takes a duration/);
    expect(() => parseStormOptions(['--throttle-records', '10'])).toThrow(/at least 100/);
  });
});

describe("--traced: tracing's cost side by side", () => {
  const storm = (workerCpu: number, p99Ms: number, spans: number) =>
    ({
      cpuSecondsPerThousandJobs: {
        workers: workerCpu,
        perWorker: [workerCpu],
        api: 0.02,
        temporal: 0.4,
        sandbox: 0.1,
      },
      receiptToLastUpdateMs: { count: 10, p50: 1_000, p99: p99Ms, max: p99Ms },
      small: { count: 0, p50: null, p99: null, max: null },
      throughput: { jobsPerSecond: 3_000 },
      tracing: { on: spans > 0, spansExported: spans },
    }) as unknown as StormFigures;

  it('gives each figure off, on and the change, and the spans exported', () => {
    const text = renderTracingCost(
      storm(0.4, 2_000, 0),
      storm(0.5, 3_000, 1_234),
      parseStormOptions(['--traced']),
    );
    expect(text).toContain('1,234 spans exported');
    expect(text).toMatch(/worker CPU s \/ 1,000 jobs\s+0\.400\s+0\.500\s+\+25\.0 %/);
    expect(text).toMatch(/receipt→last UPDATE p99\s+2\.00 s\s+3\.00 s\s+\+50\.0 %/);
    expect(text).toMatch(/API CPU s \/ 1,000 jobs\s+0\.020\s+0\.020\s+\+0\.0 %/);
    // Nothing measured (no small resyncs): no change made up.
    expect(text).toMatch(/small \(3 jobs\) p99\s+-\s+-\s+-/);
  });
});

describe("where a small resync's time went", () => {
  const at = (ms: number) => msToTs(ms);
  const event = (eventId: number, ms: number, attributes: Record<string, unknown>) => ({
    eventId,
    eventTime: at(ms),
    ...attributes,
  });

  it('cuts receipt to last UPDATE at the posting run (postBatches) and names the steps', () => {
    const history = {
      events: [
        event(1, 1_040, { workflowExecutionStartedEventAttributes: {} }),
        event(2, 1_040, { workflowTaskScheduledEventAttributes: {} }),
        event(3, 1_350, { workflowTaskStartedEventAttributes: { scheduledEventId: 2 } }),
        event(4, 1_370, { workflowTaskCompletedEventAttributes: { startedEventId: 3 } }),
        event(5, 1_370, { activityTaskScheduledEventAttributes: { activityType: { name: 'postBatches' } } }),
        event(6, 2_000, { activityTaskStartedEventAttributes: { scheduledEventId: 5 } }),
        event(7, 2_400, { activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 6 } }),
        event(8, 2_400, { workflowTaskScheduledEventAttributes: {} }),
        event(9, 2_900, { workflowTaskStartedEventAttributes: { scheduledEventId: 8 } }),
      ],
    } as unknown as Parameters<typeof breakdownOf>[0];
    const path = breakdownOf(history, 1_000, 2_150).path;
    expect(path).toEqual({
      start: 40,
      wftWait: 310,
      wftRun: 20,
      postBatchesWait: 630,
      postBatchToLastUpdate: 150,
    });
    expect(pathText(path)).toBe(
      'start 40, wftWait 310, wftRun 20, postBatchesWait 630, postBatchToLastUpdate 150 ms',
    );
  });
});

describe('while a small resync’s first task waited', () => {
  it('counts the other resyncs’ first tasks handed out inside each wait, never the small ones’ own', () => {
    const firstTasks = new Map([
      ['small-a', { scheduledAt: 1_000, startedAt: 5_000 }],
      ['small-b', { scheduledAt: 2_000, startedAt: 2_500 }],
      ['large-1', { scheduledAt: 0, startedAt: 1_500 }],
      ['large-2', { scheduledAt: 0, startedAt: 3_000 }],
      ['large-3', { scheduledAt: 0, startedAt: 6_000 }],
      ['large-4', { scheduledAt: 0, startedAt: 500 }],
    ]);
    // small-a waited over large-1 and large-2 (small-b inside its wait is not counted); small-b over none.
    // Waiting beside small-a: large-1, -2 and -3 (large-4 was handed out before it came); beside small-b:
    // large-2 and -3.
    expect(dispatchedWhileWaiting(firstTasks, new Set(['small-a', 'small-b']))).toEqual({
      mean: 1,
      max: 2,
      waitingMean: 2.5,
    });
  });

  it('is null without a small resync whose first task was read', () => {
    const firstTasks = new Map([['large-1', { scheduledAt: 0, startedAt: 1 }]]);
    expect(dispatchedWhileWaiting(firstTasks, new Set())).toBeNull();
    expect(dispatchedWhileWaiting(firstTasks, new Set(['small-x']))).toBeNull();
  });
});
