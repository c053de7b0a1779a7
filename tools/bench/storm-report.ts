/** The storm's figures as text: one block a storm, and the knee's table. */
import { formatDuration } from '../../src/duration';
import type { StormFigures } from './storm-measures';
import type { StormOptions } from './storm-options';
import { describeTemporal, type TemporalDescription } from './storm-temporal';

const n = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined
    ? '-'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const s = (ms: number | null) => (ms === null ? '-' : `${n(ms / 1000, 2)} s`);
const pct = (share: number | null) => (share === null ? '-' : `${n(share * 100)} %`);
const mb = (bytes: number | null) => (bytes === null ? '-' : `${n(bytes / 2 ** 20)} MB`);

export function renderStorm(
  figures: StormFigures,
  options: StormOptions,
  temporalServer: TemporalDescription,
): string {
  const {
    receiptToLastUpdateMs: r,
    throughput: t,
    cpuSecondsPerThousandJobs: cpu,
    temporal,
    linkedin,
  } = figures;
  const per = temporal.perThousandJobs;
  const lines = [
    `Storm: ${n(figures.apps)} applications × ${n(figures.jobsPerApp)} jobs, LinkedIn ${options.latencyMs} ms a call, ` +
      `${options.store} store, ${options.workers} worker process(es), deadline ${formatDuration(options.deadlineMs)}` +
      (options.throttle
        ? `, throttled past ${n(options.throttle.records)} records per ${s(options.throttle.windowMs)}`
        : '') +
      (options.compress ? ', payloads compressed (PAYLOAD_COMPRESSION=zlib)' : ''),
    `  Temporal           ${describeTemporal(temporalServer)}`,
    `  notifications      ${n(figures.notifications.count)} sent, ${figures.notifications.notAnswered200} not answered 200, ` +
      `${figures.notifications.redelivered} delivered again; receipts spread over ${s(figures.notifications.receiptSpreadMs)}`,
    `  receipt→last UPDATE p50 ${s(r.p50)}, p99 ${s(r.p99)}, max ${s(r.max)} (${r.count} resyncs); ` +
      `missed the deadline: ${figures.missedDeadline}`,
    ...(options.small > 0
      ? [
          `  small (3 jobs)      p50 ${s(figures.small.p50)}, p99 ${s(figures.small.p99)}, max ${s(figures.small.max)} (${figures.small.count})`,
          ...(figures.smallPath
            ? [
                `    where it went     mean ${pathText(figures.smallPath.mean)}`,
                `                      slowest 2 % ${pathText(figures.smallPath.slowest)}`,
              ]
            : []),
          ...(figures.smallDispatchedWhileWaiting
            ? [
                `    while it waited   other resyncs' first tasks handed out: mean ${n(figures.smallDispatchedWhileWaiting.mean, 1)}, ` +
                  `most ${figures.smallDispatchedWhileWaiting.max}; waiting beside it: mean ${n(figures.smallDispatchedWhileWaiting.waitingMean, 1)}`,
              ]
            : []),
        ]
      : []),
    `  jobs a second      ${n(t.jobsPerSecond)}; at every floor in parallel ${n(t.floorJobsPerSecond)} ` +
      `(floor ${s(t.floorMs)} an application); the CPU allows ${n(t.cpuJobsPerSecond)} on ${t.cpus} cores; ` +
      `CPU used by the storm ${pct(t.stormCpuShare)}, by the machine ${pct(t.machineCpuBusy)}`,
    `  CPU s / 1,000 jobs worker(s) ${n(cpu.workers, 3)} [${cpu.perWorker.map((v) => n(v, 3)).join(', ')}], ` +
      `${figures.apiMeasuredApart ? `API ${n(cpu.api, 3)}` : 'API inside the worker process'}, Temporal ${n(cpu.temporal, 3)}, ` +
      `sandbox ${n(cpu.sandbox, 3)}`,
    `  PostgreSQL CPU s / 1,000 jobs Temporal's own ` +
      (cpu.temporalPostgres === null
        ? '- (none: the dev server keeps its state in memory)'
        : `${n(cpu.temporalPostgres, 3)} (counted with Temporal in the CPU allowance and the storm's share)`) +
      `, the ATS store's ${n(cpu.storePostgres, 3)} (not counted in either)`,
    `  worker peak RSS    ${figures.workerPeakRssBytes.map(mb).join(', ')}`,
    `  Temporal / 1,000 jobs: workflow tasks ${n(per.workflowTasks, 1)}, activity tasks ${n(per.activityTasks, 1)}, ` +
      `heartbeats ${n(per.heartbeats, 1)}, timers ${n(per.timers, 1)}, child workflows ${n(per.childWorkflows, 1)}, ` +
      `signals received ${n(per.signalsReceived, 1)}, sent ${n(per.signalsSent, 1)}, runs ${n(per.workflowRuns, 1)}, ` +
      `history ${n(per.historyEvents, 0)} events / ${n((per.historyBytes ?? 0) / 1024, 0)} KB`,
    `  LinkedIn           ${n(linkedin.postingCalls)} posting calls, ${linkedin.throttled} answered 429, ` +
      `${s(linkedin.waitedAfter429Ms)} waited after them, ${linkedin.callsBeforeRetryAfter} calls before their Retry-After`,
    `  jobs               ${n(linkedin.jobsAccepted)} accepted by LinkedIn, ${n(linkedin.jobsReportedNotSent)} reported not sent or of unknown outcome, ` +
      `${linkedin.jobsLost} lost${linkedin.lostExamples.length > 0 ? ` (${linkedin.lostExamples.join(', ')})` : ''}`,
    ...(figures.tracing
      ? [
          `  tracing            ${figures.tracing.on ? `on: ${n(figures.tracing.spansExported)} spans exported` : 'off'}`,
        ]
      : []),
    ...(figures.settled ? [] : ['  NOT SETTLED: some workflow still ran when the storm was measured']),
  ];
  return lines.join('\n');
}

export interface KneeStep {
  apps: number;
  figures: StormFigures;
  /** Why the stepping stopped here, if it did. */
  stop: string | undefined;
}

export function renderKnee(steps: readonly KneeStep[], deadlineMs: number): string {
  const rows = steps.map(
    ({ apps, figures: f, stop }) =>
      `  ${n(apps).padStart(6)}  ${s(f.receiptToLastUpdateMs.p50).padStart(9)}  ${s(f.receiptToLastUpdateMs.p99).padStart(9)}` +
      `  ${String(f.missedDeadline).padStart(6)}  ${n(f.throughput.jobsPerSecond).padStart(8)}` +
      `  ${pct(f.throughput.stormCpuShare).padStart(9)}  ${pct(f.throughput.machineCpuBusy).padStart(11)}` +
      (stop ? `  ← ${stop}` : ''),
  );
  const knee = steps.find((step) => step.stop !== undefined);
  return [
    `Knee (deadline ${formatDuration(deadlineMs)}):`,
    '    apps        p50        p99  missed    jobs/s  storm CPU  machine CPU',
    ...rows,
    knee ? `The knee: ${n(knee.apps)} applications (${knee.stop}).` : 'No knee within the steps run.',
  ].join('\n');
}

/** `--traced`: the same storm with tracing off and on, side by side, and what tracing changed. */
export function renderTracingCost(off: StormFigures, on: StormFigures, options: StormOptions): string {
  const change = (a: number | null, b: number | null) =>
    a === null || b === null || a === 0 ? '-' : `${b >= a ? '+' : ''}${n(((b - a) / a) * 100, 1)} %`;
  const rows: Array<[string, number | null, number | null, (v: number | null) => string]> = [
    [
      'worker CPU s / 1,000 jobs',
      off.cpuSecondsPerThousandJobs.workers,
      on.cpuSecondsPerThousandJobs.workers,
      (v) => n(v, 3),
    ],
    [
      'API CPU s / 1,000 jobs',
      off.cpuSecondsPerThousandJobs.api,
      on.cpuSecondsPerThousandJobs.api,
      (v) => n(v, 3),
    ],
    [
      'Temporal CPU s / 1,000 jobs',
      off.cpuSecondsPerThousandJobs.temporal,
      on.cpuSecondsPerThousandJobs.temporal,
      (v) => n(v, 3),
    ],
    ['receipt→last UPDATE p50', off.receiptToLastUpdateMs.p50, on.receiptToLastUpdateMs.p50, s],
    ['receipt→last UPDATE p99', off.receiptToLastUpdateMs.p99, on.receiptToLastUpdateMs.p99, s],
    ['small (3 jobs) p99', off.small.p99, on.small.p99, s],
    ['jobs a second', off.throughput.jobsPerSecond, on.throughput.jobsPerSecond, (v) => n(v)],
  ];
  return [
    `Tracing's cost (the same storm, off then on; ${n(on.tracing?.spansExported)} spans exported${
      options.traceSample === undefined ? '' : `, ${options.traceSample} of the notifications sampled`
    }):`,
    `  ${'figure'.padEnd(28)}  ${'off'.padStart(9)}  ${'on'.padStart(9)}  change`,
    ...rows.map(
      ([name, a, b, fmt]) =>
        `  ${name.padEnd(28)}  ${fmt(a).padStart(9)}  ${fmt(b).padStart(9)}  ${change(a, b)}`,
    ),
  ].join('\n');
}

/** A small resync's steps, receipt to last UPDATE, in ms: `start 40, wftWait 310, …`. */
export function pathText(path: Record<string, number>): string {
  const entries = Object.entries(path).filter(([, ms]) => ms > 0);
  return entries.length === 0
    ? '-'
    : entries.map(([step, ms]) => `${step} ${Math.round(ms)}`).join(', ') + ' ms';
}
