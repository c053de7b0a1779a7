/**
 * One size of the benchmark: a sandbox and a worker process of its own, N synthetic jobs, one sync-all
 * resync started as the webhook would, then the figures read from LinkedIn's side, the histories and the
 * worker's report.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { DeveloperApplication } from '../../src/ats/job-store';
import type { JobResyncNotification, ResyncResult } from '../../src/contract';
import { createResyncStarter } from '../../src/api/resync-starter';
import { workflowIdFor } from '../../src/api/workflow-id';
import type { resyncJobs } from '../../src/workflows';
import { startLinkedInSandbox, type LinkedInSandbox } from '../sandbox/linkedin-sandbox';
import type { WorkerReady, WorkerReport } from './bench-protocol';
import type { SizeResult } from './figures';
import { chainFigures, followUpFigures } from './histories';
import { linkedInFigures, updateTimes } from './linkedin-figures';
import { errorText, mapLimited, temporalServerCpuMs, within } from './measure';
import { floorOf, problemsOf } from './size-checks';
import {
  BENCH_APPLICATION_URN,
  BENCH_WARM_UP_APPLICATION_URN,
  CHILD_STEP_TIMEOUT_MS,
  DEADLINE_MS,
  FOLLOW_UP_WINDOW_MS,
  NAMESPACE,
  PROGRESS_EVERY_MS,
  RESULT_TIMEOUT_MS,
  RPC_TIMEOUT_MS,
  SAMPLE_EVERY_MS,
  TASK_COMPLETION_MS,
  WARM_UP_JOBS,
} from './settings';
import { BenchWorker } from './worker-process';

export interface BenchContext {
  client: Client;
  temporalAddress: string;
  workflowBundlePath: string;
  /** How long the sandbox takes to answer each posting call: LinkedIn's answer time. */
  latencyMs: number;
  /** What to undo at once if the benchmark is interrupted (Ctrl-C) in the middle of a size. */
  onInterrupt: Set<() => void>;
}

export async function benchmarkSize(jobs: number, context: BenchContext): Promise<SizeResult> {
  const { client } = context;
  const tag = `${jobs}-${randomUUID().slice(0, 8)}`;
  const taskQueue = `resync-bench-${tag}`;
  const application: DeveloperApplication = {
    urn: BENCH_APPLICATION_URN,
    clientId: `bench-client-${tag}`,
    clientSecret: `bench-secret-${tag}`,
    integrationContext: 'urn:li:organization:2414183',
    companyName: 'Benchmark Robotics',
  };
  const warmUp: DeveloperApplication = {
    ...application,
    urn: BENCH_WARM_UP_APPLICATION_URN,
    clientId: `bench-warm-up-client-${tag}`,
  };
  const notification: JobResyncNotification = {
    developerApplicationUrn: application.urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: true,
  };
  // Unique per size, so each size's chain of runs is listed on its own.
  const workflowIdPrefix = `bench-${tag}-`;
  const workflowId = workflowIdFor(notification, workflowIdPrefix);
  const { latencyMs } = context;
  const result: SizeResult = { jobs, latencyMs, ok: false, problems: [], workflowId, taskQueue };

  const dataDir = mkdtempSync(join(tmpdir(), 'resync-bench-ats-'));
  let sandbox: LinkedInSandbox | undefined;
  let worker: BenchWorker | undefined;
  let started = false;
  const interrupt = () => {
    worker?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  context.onInterrupt.add(interrupt);
  try {
    sandbox = await startLinkedInSandbox({ taskCompletionMs: TASK_COMPLETION_MS });
    sandbox.registerApplication({
      developerApplicationUrn: application.urn,
      clientId: application.clientId,
      clientSecret: application.clientSecret,
      kind: 'child',
    });
    sandbox.registerApplication({
      developerApplicationUrn: warmUp.urn,
      clientId: warmUp.clientId,
      clientSecret: warmUp.clientSecret,
      kind: 'child',
    });

    log(jobs, `seeding ${jobs.toLocaleString('en-US')} jobs in the worker's PGlite store…`);
    worker = new BenchWorker(join(__dirname, 'bench-worker.js'));
    worker.send({
      kind: 'setup',
      dataDir,
      application,
      jobCount: jobs,
      warmUp: { application: warmUp, jobCount: WARM_UP_JOBS },
      temporalAddress: context.temporalAddress,
      namespace: NAMESPACE,
      taskQueue,
      workflowBundlePath: context.workflowBundlePath,
      linkedin: { apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl },
      sampleEveryMs: SAMPLE_EVERY_MS,
    });
    const seeded = await worker.next('seeded', CHILD_STEP_TIMEOUT_MS + jobs * 2);
    if (seeded.ids.length !== jobs) {
      throw new Error(`the worker's store holds ${seeded.ids.length} open jobs, expected ${jobs}`);
    }
    sandbox.seedExistingJobs(application.urn, seeded.ids);
    sandbox.seedExistingJobs(warmUp.urn, seeded.warmUpIds);
    const starter = createResyncStarter(client, {
      taskQueue,
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      workflowIdPrefix,
      startTimeoutMs: RPC_TIMEOUT_MS,
    });
    await worker.next('polling', CHILD_STEP_TIMEOUT_MS);
    const warmUpRun = await within(
      RPC_TIMEOUT_MS,
      'the warm-up start',
      starter.start(
        { developerApplicationUrn: warmUp.urn, type: 'RESYNC_JOBS', syncAllOpenJobs: true },
        Date.now(),
      ),
    );
    await within(
      RESULT_TIMEOUT_MS,
      'the warm-up resync',
      Promise.race([
        client.workflow.getHandle(warmUpRun.workflowId, warmUpRun.runId).result(),
        worker.failed,
      ]),
    );
    worker.send({ kind: 'measure' });
    const ready: WorkerReady = await worker.next('ready', CHILD_STEP_TIMEOUT_MS);
    log(jobs, `seeded in ${(seeded.seedMs / 1000).toFixed(1)} s; resync started`);

    const serverCpuAtStart = temporalServerCpuMs();
    const benchCpuAtStart = process.cpuUsage();
    sandbox.faults.setLatency('simpleJobPostings', context.latencyMs);
    const receivedAt = Date.now();
    // The webhook's own starter (signal-with-start), so the production path is timed.
    const { runId } = await within(
      RPC_TIMEOUT_MS,
      'the workflow start',
      starter.start(notification, receivedAt),
    );
    const handle = client.workflow.getHandle<typeof resyncJobs>(workflowId, runId);
    started = true;

    const progress = setInterval(() => {
      const posted = sandbox?.postedElements(application.urn).length ?? 0;
      log(
        jobs,
        `${Math.round((Date.now() - receivedAt) / 1000)} s: ${posted.toLocaleString('en-US')} jobs posted`,
      );
    }, PROGRESS_EVERY_MS);
    let resync: ResyncResult;
    try {
      resync = await within(RESULT_TIMEOUT_MS, 'the resync', Promise.race([handle.result(), worker.failed]));
    } finally {
      clearInterval(progress);
    }
    const completedAt = Date.now();
    log(jobs, `resync completed in ${((completedAt - receivedAt) / 1000).toFixed(1)} s; reading histories…`);

    const chain = await chainFigures(client, workflowId, runId, resync, jobs);
    // The follow-ups report before they complete: the worker must stay until they have.
    await within(
      CHILD_STEP_TIMEOUT_MS,
      'the follow-up workflows',
      Promise.race([
        mapLimited(chain.childIds, 16, (id) => client.workflow.getHandle(id).result()),
        worker.failed,
      ]),
    );
    const childrenClosedAt = Date.now();
    const serverCpuAtEnd = temporalServerCpuMs();
    const benchCpu = process.cpuUsage(benchCpuAtStart);
    result.cpu = {
      temporalServerMs:
        serverCpuAtStart === null || serverCpuAtEnd === null ? null : serverCpuAtEnd - serverCpuAtStart,
      benchProcessMs: (benchCpu.user + benchCpu.system) / 1000,
    };

    worker.send({ kind: 'finish' });
    const report: WorkerReport = await worker.next('report', CHILD_STEP_TIMEOUT_MS);
    await worker.stop(CHILD_STEP_TIMEOUT_MS);

    result.timing = {
      seedMs: seeded.seedMs,
      ...updateTimes(sandbox, application.urn, receivedAt, jobs),
      toCompletionMs: completedAt - receivedAt,
      followUpsClosedAfterMs: childrenClosedAt - completedAt,
    };
    result.linkedin = linkedInFigures(sandbox, application.urn);
    result.floor = floorOf(result.linkedin.postingCalls, latencyMs, result.timing.toLastUpdateMs);
    result.workflow = chain.figures;
    result.followUps = await followUpFigures(client, chain.childIds, jobs);
    result.worker = {
      seedPeakRss: seeded.seedPeakRss,
      atStart: seeded.atStart,
      storeOpened: seeded.storeOpened,
      afterSeed: seeded.afterSeed,
      idle: ready.idle,
      peakReset: ready.peakReset,
      resyncPeakRss: report.resyncPeakRss,
      sampledMax: report.sampledMax,
      samples: report.samples,
      cpuMs: report.cpuMs,
      eventLoopDelayMs: report.eventLoopDelayMs,
      final: report.final,
    };
    result.problems = problemsOf(result, resync);
    result.ok = result.problems.length === 0;
  } catch (error) {
    result.error = errorText(error);
    if (started) await terminateLeftovers(client, taskQueue);
  } finally {
    context.onInterrupt.delete(interrupt);
    await worker?.stop(0);
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

export function log(jobs: number, message: string): void {
  console.log(`[${jobs.toLocaleString('en-US')} jobs] ${message}`);
}

/** After a failed size: nothing of it should keep the server busy during the next one. */
async function terminateLeftovers(client: Client, taskQueue: string): Promise<void> {
  try {
    await within(
      RPC_TIMEOUT_MS,
      'terminating leftovers',
      (async () => {
        for await (const execution of client.workflow.list({
          query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`,
        })) {
          await client.workflow
            .getHandle(execution.workflowId, execution.runId)
            .terminate('benchmark size failed')
            .catch(() => undefined);
        }
      })(),
    );
  } catch (error) {
    console.error(`could not terminate the workflows left on ${taskQueue}: ${errorText(error)}`);
  }
}
