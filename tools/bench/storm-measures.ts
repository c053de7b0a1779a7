/** What a storm reads besides the histories: the machine's CPU, a process's peak memory, and every job's fate. */
import { readFileSync } from 'node:fs';
import { mapLimited } from './measure';
import { sandboxAdmin } from './sandbox-process';
import type { Ending } from './storm-notify';
import { kneeReason, lostJobs, type Spread, type TemporalCounts } from './storm-figures';

export interface StormFigures {
  apps: number;
  jobsPerApp: number;
  totalJobs: number;
  /** Whether every workflow of the storm had ended when it was measured. */
  settled: boolean;
  notifications: { count: number; notAnswered200: number; redelivered: number; receiptSpreadMs: number };
  receiptToLastUpdateMs: Spread;
  missedDeadline: number;
  small: Spread;
  /**
   * Where the small resyncs' time went, receipt to last UPDATE (ms, from their histories): each step's
   * mean over all of them and over the slowest 2 %; null without small resyncs.
   */
  smallPath: { mean: Record<string, number>; slowest: Record<string, number> } | null;
  /**
   * Other resyncs' first workflow tasks handed to the worker while a small one's waited (mean and most over
   * the small ones), and those waiting beside it (mean; storm-figures.ts, dispatchedWhileWaiting); null
   * without small resyncs.
   */
  smallDispatchedWhileWaiting: { mean: number; max: number; waitingMean: number } | null;
  throughput: {
    jobsPerSecond: number | null;
    floorMs: number;
    floorJobsPerSecond: number | null;
    cpus: number;
    cpuJobsPerSecond: number | null;
    /** The whole machine's busy share over the storm (other work on the machine included). */
    machineCpuBusy: number | null;
    /**
     * The storm's own processes' CPU (workers, API, Temporal and its own PostgreSQL, sandbox, bench) over the
     * machine's; the ATS store's PostgreSQL is not counted.
     */
    stormCpuShare: number | null;
  };
  cpuSecondsPerThousandJobs: {
    workers: number | null;
    perWorker: Array<number | null>;
    api: number | null;
    /** The Temporal server process alone. */
    temporal: number | null;
    /** Temporal's own PostgreSQL (`--temporal production`); null on the dev server. */
    temporalPostgres: number | null;
    /** The ATS store's PostgreSQL (`--store postgres`); null with the embedded store. */
    storePostgres: number | null;
    sandbox: number | null;
  };
  apiMeasuredApart: boolean;
  /** With --traced: whether this storm's API and worker(s) traced, and the spans they exported in it. */
  tracing?: { on: boolean; spansExported: number };
  workerPeakRssBytes: Array<number | null>;
  temporal: {
    counts: TemporalCounts;
    heartbeats: number | null;
    heartbeatsFrom: string;
    runsByType: Record<string, number>;
    perThousandJobs: Record<string, number | null>;
  };
  linkedin: {
    postingCalls: number;
    throttled: number;
    waitedAfter429Ms: number;
    callsBeforeRetryAfter: number;
    earliest: Array<{ developerApplicationUrn: string; earlyByMs: number }>;
    jobsAccepted: number;
    jobsReportedNotSent: number;
    jobsLost: number;
    lostExamples: string[];
  };
}

/** /proc/stat's busy and total jiffies of the whole machine. */
function machineJiffies(): { busy: number; total: number } | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Called without an argument: a reading; with the earlier reading: the machine's busy share since (0-1). */
export function machineCpu(): { busy: number; total: number } | null;
export function machineCpu(since: { busy: number; total: number } | null): number | null;
export function machineCpu(since?: { busy: number; total: number } | null) {
  const now = machineJiffies();
  if (since === undefined) return now;
  if (since === null || now === null || now.total <= since.total) return null;
  return (now.busy - since.busy) / (now.total - since.total);
}

/** VmHWM: the most resident memory the process ever had, in bytes. */
export function peakRssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((text) => text.startsWith('VmHWM:'));
    return line === undefined ? null : Number(line.replace(/\D+/g, '')) * 1024;
  } catch {
    return null;
  }
}

const NOT_SENT_FATES = new Set(['MISSED_DEADLINE', 'OUTCOME_UNKNOWN', 'REJECTED', 'NOT_IN_ATS']);

/** What the resync reported as not sent: ids it listed, and how many it counted. */
function reportedNotSent(ending: Ending | undefined): { ids: Set<string>; notSentCount: number } {
  if (ending?.deadline !== undefined) {
    const ids = new Set([...ending.deadline.notSent, ...(ending.deadline.outcomeUnknown ?? [])]);
    return {
      ids,
      notSentCount: ending.deadline.notSentCount + (ending.deadline.outcomeUnknown?.length ?? 0),
    };
  }
  if (ending?.result !== undefined) {
    const { jobs, totals } = ending.result;
    const ids = new Set(
      jobs.filter((job) => NOT_SENT_FATES.has(job.fate)).map((job) => job.externalJobPostingId),
    );
    const notSentCount =
      totals.missedDeadline + totals.rejected + totals.notInAts + (totals.outcomeUnknown ?? 0);
    return { ids, notSentCount };
  }
  return { ids: new Set(), notSentCount: 0 };
}

/** Every open job of every application: accepted by LinkedIn's side, reported not sent, or lost. */
export async function jobsAccounted(
  sandboxUrl: string,
  urns: readonly string[],
  open: ReadonlyMap<string, string[]>,
  ends: ReadonlyMap<string, Ending>,
) {
  let jobsAccepted = 0;
  let jobsReportedNotSent = 0;
  let jobsLost = 0;
  const lostExamples: string[] = [];
  await mapLimited(urns, 8, async (urn) => {
    const query = new URLSearchParams({ application: urn, brief: '1' });
    const answer = (await sandboxAdmin(sandboxUrl, `elements?${query.toString()}`)) as {
      elements: Array<{ externalJobPostingId: string | null; status: number }>;
    };
    const accepted = new Set(
      answer.elements
        .filter((e) => e.status === 202 && e.externalJobPostingId !== null)
        .map((e) => e.externalJobPostingId!),
    );
    const ids = open.get(urn) ?? [];
    const reported = reportedNotSent(ends.get(urn));
    const { lost, examples } = lostJobs(ids, accepted, reported);
    jobsAccepted += ids.filter((id) => accepted.has(id)).length;
    jobsReportedNotSent += reported.notSentCount;
    jobsLost += lost;
    lostExamples.push(...examples.map((id) => `${urn} ${id}`));
  });
  return { jobsAccepted, jobsReportedNotSent, jobsLost, lostExamples: lostExamples.slice(0, 5) };
}

/**
 * Why a storm of `--knee` ends the stepping, if it does. "The CPU is spent" is the machine's busy share:
 * whoever spends it (the sandbox playing LinkedIn, the ATS store's PostgreSQL), the storm cannot use more.
 */
export function kneeStopOf(
  figures: Pick<StormFigures, 'receiptToLastUpdateMs' | 'missedDeadline' | 'throughput'>,
  deadlineMs: number,
): string | undefined {
  return kneeReason(
    {
      p99Ms: figures.receiptToLastUpdateMs.p99,
      missed: figures.missedDeadline,
      machineBusy: figures.throughput.machineCpuBusy,
    },
    deadlineMs,
  );
}
