/**
 * The storm's pure arithmetic: percentiles, LinkedIn's floor, throughput beside its limits, Temporal's
 * cost from event types, and the checks on LinkedIn's throttling (Retry-After kept, no job lost).
 */

/** LinkedIn takes at most 100 jobs a call (linkedin.md §5). */
export const JOBS_PER_CALL = 100;

export interface Spread {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** The value at or above a share `p` of the values (nearest rank); null for none. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? null;
}

export function spreadOf(values: readonly number[]): Spread {
  return {
    count: values.length,
    p50: nearestRank(values, 0.5),
    p99: nearestRank(values, 0.99),
    max: values.length === 0 ? null : Math.max(...values),
  };
}

/** One application's floor: its calls one after another, each answered after the latency. */
export function floorMs(jobs: number, latencyMs: number): number {
  return Math.ceil(jobs / JOBS_PER_CALL) * latencyMs;
}

/**
 * Jobs a second if every application ran at its floor, all in parallel from their own receipt: the jobs
 * over the time from the first receipt to the last floor's end. Null without receipts or time.
 */
export function floorJobsPerSecond(receipts: readonly number[], jobsPerApp: number, latencyMs: number) {
  if (receipts.length === 0) return null;
  const span = Math.max(...receipts) + floorMs(jobsPerApp, latencyMs) - Math.min(...receipts);
  return span > 0 ? (receipts.length * jobsPerApp) / (span / 1000) : null;
}

/** Jobs a second the machine's CPU allows at the measured CPU per job; null when nothing was measured. */
export function cpuJobsPerSecond(cpus: number, cpuMsPerJob: number | null): number | null {
  return cpuMsPerJob === null || cpuMsPerJob <= 0 ? null : (cpus * 1000) / cpuMsPerJob;
}

export function perThousandJobs(value: number | null, jobs: number): number | null {
  return value === null || jobs <= 0 ? null : (value * 1000) / jobs;
}

/** What Temporal did, counted from the storm's histories (heartbeats apart: they are not in history). */
export interface TemporalCounts {
  workflowRuns: number;
  workflowTasks: number;
  activityTasks: number;
  timers: number;
  childWorkflows: number;
  signalsReceived: number;
  signalsSent: number;
  historyEvents: number;
  historyBytes: number;
}

export function emptyCounts(): TemporalCounts {
  return {
    workflowRuns: 0,
    workflowTasks: 0,
    activityTasks: 0,
    timers: 0,
    childWorkflows: 0,
    signalsReceived: 0,
    signalsSent: 0,
    historyEvents: 0,
    historyBytes: 0,
  };
}

const COUNTED: Record<string, keyof TemporalCounts> = {
  WORKFLOW_EXECUTION_STARTED: 'workflowRuns',
  WORKFLOW_TASK_COMPLETED: 'workflowTasks',
  ACTIVITY_TASK_SCHEDULED: 'activityTasks',
  TIMER_STARTED: 'timers',
  START_CHILD_WORKFLOW_EXECUTION_INITIATED: 'childWorkflows',
  WORKFLOW_EXECUTION_SIGNALED: 'signalsReceived',
  SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: 'signalsSent',
};

/** Adds one history (its event types, `EVENT_TYPE_` prefix or not, and its encoded size) to `counts`. */
export function addHistory(counts: TemporalCounts, eventTypes: readonly string[], bytes: number): void {
  for (const type of eventTypes) {
    const key = COUNTED[type.replace(/^EVENT_TYPE_/, '')];
    if (key !== undefined) counts[key] += 1;
  }
  counts.historyEvents += eventTypes.length;
  counts.historyBytes += bytes;
}

/** Each count per 1,000 jobs. */
export function countsPerThousand(counts: TemporalCounts, jobs: number): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(counts).map(([key, value]: [string, number]) => [key, perThousandJobs(value, jobs)]),
  );
}

/** A posting call as the sandbox recorded it. */
export interface StormCall {
  developerApplicationUrn: string | null;
  status: number;
  startedAt: number;
  endedAt: number;
  retryAfterSeconds?: number;
}

export interface ThrottleFigures {
  throttled: number;
  /** From each 429's answer to the application's next posting call (or to the end when none came). */
  waitedMs: number;
  /** Calls that came before the Retry-After of their application's previous 429 had passed. */
  early: Array<{ developerApplicationUrn: string; earlyByMs: number }>;
}

/** The 429s, the time spent waiting after them, and the calls that did not keep their Retry-After. */
export function throttleFigures(calls: readonly StormCall[], endedAt: number): ThrottleFigures {
  const byApp = new Map<string, StormCall[]>();
  for (const call of calls) {
    if (call.developerApplicationUrn === null) continue;
    const list = byApp.get(call.developerApplicationUrn) ?? [];
    list.push(call);
    byApp.set(call.developerApplicationUrn, list);
  }
  const figures: ThrottleFigures = { throttled: 0, waitedMs: 0, early: [] };
  for (const [urn, list] of byApp) {
    list.sort((a, b) => a.startedAt - b.startedAt);
    list.forEach((call, i) => {
      if (call.status !== 429) return;
      figures.throttled += 1;
      const next = list.slice(i + 1).find((later) => later.startedAt >= call.startedAt);
      figures.waitedMs += Math.max(0, (next?.startedAt ?? endedAt) - call.endedAt);
      const allowedAt = call.endedAt + (call.retryAfterSeconds ?? 0) * 1000;
      if (next !== undefined && next.startedAt < allowedAt)
        figures.early.push({ developerApplicationUrn: urn, earlyByMs: allowedAt - next.startedAt });
    });
  }
  return figures;
}

/**
 * The jobs neither accepted by LinkedIn nor reported as not sent by their resync: lost. `reported` holds the
 * ids its result or deadline failure listed and the count it gave; where the list was cut short (fewer
 * ids than the count), only the numbers can be compared.
 */
export function lostJobs(
  openIds: readonly string[],
  accepted: ReadonlySet<string>,
  reported: { ids: ReadonlySet<string>; notSentCount: number },
): { lost: number; examples: string[] } {
  const missing = openIds.filter((id) => !accepted.has(id) && !reported.ids.has(id));
  if (reported.notSentCount <= reported.ids.size)
    return { lost: missing.length, examples: missing.slice(0, 5) };
  const sent = openIds.filter((id) => accepted.has(id)).length;
  return { lost: Math.max(0, openIds.length - sent - reported.notSentCount), examples: [] };
}

/** The busy share of the machine's CPU at which it counts as spent. */
export const CPU_SPENT = 0.95;

/** Why a storm marks the knee: its p99 passed the deadline, a resync missed it, or the CPU was spent. */
export function kneeReason(
  storm: { p99Ms: number | null; missed: number; machineBusy: number | null },
  deadlineMs: number,
): string | undefined {
  if (storm.p99Ms !== null && storm.p99Ms > deadlineMs) return 'p99 past the deadline';
  if (storm.missed > 0) return `${storm.missed} resync(s) missed the deadline`;
  if (storm.machineBusy !== null && storm.machineBusy >= CPU_SPENT) return 'the CPU is spent';
  return undefined;
}

/** A resync's first workflow task: scheduled, and handed to a worker (epoch ms). */
export interface FirstTaskTimes {
  scheduledAt: number;
  startedAt: number;
}

/**
 * While each small resync's first workflow task waited (scheduled → handed to a worker), how many other
 * resyncs' first tasks were handed out from the same queue (`dispatched`), and how many were waiting in it
 * too at some time of that wait (`waiting`): the mean and the most over the small ones. Few handed out while
 * others waited means the queue was hardly polled then (the worker's side); many handed out means it was
 * polled and the small task, ahead of them by priority, was not there yet to be taken (Temporal's side).
 */
export function dispatchedWhileWaiting(
  firstTasks: ReadonlyMap<string, FirstTaskTimes>,
  small: ReadonlySet<string>,
): { mean: number; max: number; waitingMean: number } | null {
  const others = [...firstTasks].filter(([urn]) => !small.has(urn)).map(([, task]) => task);
  const counts = [...small].flatMap((urn) => {
    const task = firstTasks.get(urn);
    if (task === undefined) return [];
    const within = (at: number) => at > task.scheduledAt && at < task.startedAt;
    return [
      {
        dispatched: others.filter((other) => within(other.startedAt)).length,
        waiting: others.filter(
          (other) => other.scheduledAt < task.startedAt && other.startedAt > task.scheduledAt,
        ).length,
      },
    ];
  });
  if (counts.length === 0) return null;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const dispatched = counts.map((count) => count.dispatched);
  return {
    mean: mean(dispatched),
    max: Math.max(...dispatched),
    waitingMean: mean(counts.map((count) => count.waiting)),
  };
}
