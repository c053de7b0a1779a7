/**
 * One storm of N applications: seed them, start the worker(s), notify every one within the spread (and
 * the small resyncs among them), wait for every resync and its followers to end, then measure: receipt to
 * last UPDATE, throughput beside its limits, CPU and memory per process, Temporal's cost from the
 * histories, LinkedIn's 429s and whether any job was lost.
 */
import { cpus } from 'node:os';
import { mapLimited, processCpuMs } from './measure';
import { postingCalls } from './sandbox-process';
import { endings, notify, quiet, type Notice } from './storm-notify';
import { heartbeatsSent, readStormHistories } from './storm-histories';
import { jobsAccounted, machineCpu, peakRssBytes, type StormFigures } from './storm-measures';
import {
  dispatchedWhileWaiting,
  countsPerThousand,
  cpuJobsPerSecond,
  floorJobsPerSecond,
  floorMs,
  perThousandJobs,
  spreadOf,
  throttleFigures,
} from './storm-figures';
import type { StormRig } from './storm-rig';
import { breakdownOf, summarise } from './resync-breakdown';

/** Small resyncs: 3 jobs each, the size the goal names. */
export const SMALL_JOBS = 3;
/** Past the deadline, how long to wait for the last resync before giving up on it. */
const END_GRACE_MS = 2 * 60_000;

const log = (message: string) => console.log(`[storm ${new Date().toISOString().slice(11, 19)}] ${message}`);

export async function runStorm(rig: StormRig, apps: number, base: number): Promise<StormFigures> {
  const { options } = rig;
  const ids = Array.from({ length: apps }, (_, i) => base + i);
  const smallIds = Array.from({ length: options.small }, (_, i) => base + apps + i);
  log(`seeding ${apps} applications of ${options.jobs} jobs and ${smallIds.length} small ones`);
  const open = await rig.seed([
    ...ids.map((id) => ({ id, jobs: options.jobs })),
    ...smallIds.map((id) => ({ id, jobs: SMALL_JOBS })),
  ]);
  const urnOf = (id: number) => `urn:li:developerApplication:${id}`;
  const service = await rig.startService(base + apps + smallIds.length - STORM_BASE);
  const processes = { workers: service.workers, api: service.api };
  const cpuOf = () => ({
    workers: processes.workers.map((worker) => processCpuMs(worker.pid)),
    api: options.store === 'postgres' ? processCpuMs(processes.api?.pid) : null,
    temporal: rig.temporal.cpuMs(),
    temporalPostgres: rig.temporal.postgresCpuMs(),
    storePostgres: rig.storePostgresCpuMs(),
    sandbox: processCpuMs(rig.sandbox.pid),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  });
  try {
    const heartbeatsBefore = await Promise.all(service.metricsUrls.map(heartbeatsSent));
    const cpuBefore = cpuOf();
    const machineBefore = machineCpu();
    const stormStart = Date.now();
    // The small applications' notices go among the storm's, evenly.
    const notices: Notice[] = ids.map((id) => ({ urn: urnOf(id), ids: 'all' }));
    smallIds.forEach((id, i) => {
      const at = Math.round(((i + 0.5) * notices.length) / smallIds.length);
      notices.splice(at, 0, { urn: urnOf(id), ids: open.get(urnOf(id)) ?? [] });
    });
    log(`notifying ${notices.length} applications over ${options.spreadMs / 1000} s`);
    const deliveries = await notify(rig.webhookUrl, notices, options.spreadMs, rig.prefix);
    const refused = deliveries.filter((delivery) => delivery.status !== 200);
    log(`all answered (${refused.length} not 200); waiting for the resyncs`);
    const ends = await endings(rig.client, deliveries, options.deadlineMs + END_GRACE_MS);
    const settled = await quiet(rig.client, rig.prefix, END_GRACE_MS);
    const stormEnd = Date.now();
    const cpuAfter = cpuOf();
    const machine = machineCpu(machineBefore);
    const heartbeatsAfter = await Promise.all(service.metricsUrls.map(heartbeatsSent));
    const peakRss = processes.workers.map((worker) => peakRssBytes(worker.pid));
    await service.stop();

    log('reading the sandbox record and the histories');
    const calls = await postingCalls(rig.sandbox.url, { since: stormStart });
    const lastUpdate = new Map<string, number>();
    for (const call of calls) {
      const urn = call.developerApplicationUrn;
      if (urn !== null && call.status === 200)
        lastUpdate.set(urn, Math.max(lastUpdate.get(urn) ?? 0, call.endedAt));
    }
    const histories = await readStormHistories(
      rig.client,
      stormStart,
      new Set([...ids, ...smallIds].map(String)),
    );
    const sentAt = new Map(deliveries.map((delivery) => [delivery.notice.urn, delivery.sentAt]));
    const receiptOf = (urn: string) => histories.receivedAt.get(urn) ?? sentAt.get(urn) ?? stormStart;
    const answerTimes = (list: number[]) =>
      list.map(urnOf).flatMap((urn) => {
        const last = lastUpdate.get(urn);
        return last === undefined ? [] : [last - receiptOf(urn)];
      });
    const storm = answerTimes(ids);
    // Where each small resync's time went, from its history: the API's start, workflow tasks waiting and
    // running, the posting activity waiting, and from its start to the last UPDATE.
    const smallUrns = new Set(smallIds.map(urnOf));
    const smallBreakdowns = await mapLimited(
      deliveries.filter((delivery) => smallUrns.has(delivery.notice.urn) && delivery.status === 200),
      8,
      async ({ notice, workflowId }) => {
        const last = lastUpdate.get(notice.urn);
        if (last === undefined) return undefined;
        const history = await rig.client.workflow.getHandle(workflowId).fetchHistory();
        return breakdownOf(history, receiptOf(notice.urn), last);
      },
    );
    const smallSummary = summarise(smallBreakdowns.filter((each) => each !== undefined));
    const missed = ids.map(urnOf).filter((urn) => {
      const last = lastUpdate.get(urn);
      return (
        ends.get(urn)?.deadline !== undefined ||
        last === undefined ||
        last - receiptOf(urn) > options.deadlineMs
      );
    }).length;
    const accounted = await jobsAccounted(rig.sandbox.url, [...ids, ...smallIds].map(urnOf), open, ends);
    const totalJobs = apps * options.jobs + smallIds.length * SMALL_JOBS;
    const receipts = ids.map((id) => receiptOf(urnOf(id)));
    const firstReceipt = Math.min(...receipts);
    const lastAnswer = Math.max(...ids.map((id) => lastUpdate.get(urnOf(id)) ?? 0));
    const delta = (before: number | null | undefined, after: number | null | undefined) =>
      before === null || before === undefined || after === null || after === undefined
        ? null
        : after - before;
    const workerCpu = cpuAfter.workers.map((after, i) => delta(cpuBefore.workers[i], after));
    const workerCpuMs = workerCpu.reduce<number | null>(
      (sum, ms) => (sum === null || ms === null ? null : sum + ms),
      0,
    );
    const apiCpuMs = delta(cpuBefore.api, cpuAfter.api);
    const temporalCpuMs = delta(cpuBefore.temporal, cpuAfter.temporal);
    // Production: Temporal's own PostgreSQL is part of Temporal's cost (the dev server's store is inside it).
    const temporalPostgresCpuMs = delta(cpuBefore.temporalPostgres, cpuAfter.temporalPostgres);
    const serviceCpuMs =
      workerCpuMs === null || temporalCpuMs === null
        ? null
        : workerCpuMs + temporalCpuMs + (temporalPostgresCpuMs ?? 0) + (apiCpuMs ?? 0);
    const heartbeats = heartbeatsAfter.every((value) => value !== null)
      ? heartbeatsAfter.reduce<number>((sum, value, i) => sum + (value ?? 0) - (heartbeatsBefore[i] ?? 0), 0)
      : null;
    const throttle = throttleFigures(calls, stormEnd);
    return {
      apps,
      jobsPerApp: options.jobs,
      totalJobs,
      settled,
      notifications: {
        count: deliveries.length,
        notAnswered200: refused.length,
        redelivered: deliveries.filter((delivery) => delivery.attempts > 1).length,
        receiptSpreadMs: Math.max(...receipts) - firstReceipt,
      },
      receiptToLastUpdateMs: spreadOf(storm),
      missedDeadline: missed,
      small: spreadOf(answerTimes(smallIds)),
      smallPath:
        smallIds.length === 0 ? null : { mean: smallSummary.pathMean, slowest: smallSummary.pathMeanSlowest },
      smallDispatchedWhileWaiting: dispatchedWhileWaiting(histories.firstTasks, smallUrns),
      throughput: {
        jobsPerSecond:
          // The jobs LinkedIn accepted (a deadline or a throttle may leave some unsent).
          lastAnswer > firstReceipt ? accounted.jobsAccepted / ((lastAnswer - firstReceipt) / 1000) : null,
        floorMs: floorMs(options.jobs, options.latencyMs),
        floorJobsPerSecond: floorJobsPerSecond(receipts, options.jobs, options.latencyMs),
        cpus: cpus().length,
        cpuJobsPerSecond: cpuJobsPerSecond(
          cpus().length,
          serviceCpuMs === null ? null : serviceCpuMs / totalJobs,
        ),
        machineCpuBusy: machine,
        stormCpuShare: share(
          [
            workerCpuMs,
            apiCpuMs,
            temporalCpuMs,
            temporalPostgresCpuMs,
            delta(cpuBefore.sandbox, cpuAfter.sandbox),
            cpuAfter.bench - cpuBefore.bench,
          ],
          (stormEnd - stormStart) * cpus().length,
        ),
      },
      cpuSecondsPerThousandJobs: {
        workers: perThousandJobs(seconds(workerCpuMs), totalJobs),
        perWorker: workerCpu.map((ms) => perThousandJobs(seconds(ms), totalJobs)),
        api: perThousandJobs(seconds(apiCpuMs), totalJobs),
        temporal: perThousandJobs(seconds(temporalCpuMs), totalJobs),
        temporalPostgres: perThousandJobs(seconds(temporalPostgresCpuMs), totalJobs),
        storePostgres: perThousandJobs(
          seconds(delta(cpuBefore.storePostgres, cpuAfter.storePostgres)),
          totalJobs,
        ),
        sandbox: perThousandJobs(seconds(delta(cpuBefore.sandbox, cpuAfter.sandbox)), totalJobs),
      },
      apiMeasuredApart: options.store === 'postgres',
      workerPeakRssBytes: peakRss,
      temporal: {
        counts: histories.counts,
        heartbeats,
        heartbeatsFrom:
          'the workers\' Prometheus temporal_request_total{operation="RecordActivityTaskHeartbeat"}',
        runsByType: histories.runsByType,
        perThousandJobs: {
          ...countsPerThousand(histories.counts, totalJobs),
          heartbeats: perThousandJobs(heartbeats, totalJobs),
        },
      },
      linkedin: {
        postingCalls: calls.length,
        throttled: throttle.throttled,
        waitedAfter429Ms: throttle.waitedMs,
        callsBeforeRetryAfter: throttle.early.length,
        earliest: throttle.early.slice(0, 5),
        ...accounted,
      },
    };
  } finally {
    await service.stop();
    await rig.resetSandbox();
  }
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

/** The storm's processes' CPU (ms, unreadable ones left out) over the CPU time the machine had. */
const share = (cpuMs: Array<number | null>, availableMs: number) =>
  availableMs > 0 ? cpuMs.reduce<number>((sum, ms) => sum + (ms ?? 0), 0) / availableMs : null;

/** The first application id of the run; every storm of a run takes the ids after the last one's. */
export const STORM_BASE = 7_000_000;
