import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import type { JobSource } from '../ats/job-store';
import { notificationReceivedSignal } from '../contract/signals';
import {
  canonicalRequest,
  DEVELOPER_APPLICATION_URN,
  MAX_JOBS_PER_CALL,
  resyncTaskQueue,
  summaryOf,
  WORKFLOW_TYPE,
  type JobResyncNotification,
  type ResyncInput,
} from '../contract';
import { workflowIdFor } from './workflow-id';
import { applicationPriority } from '../fairness';
import { annotateNotification } from '../observability/tracing-http';
import {
  firstRound,
  nextRound,
  ROUND_WINDOW_MEMO,
  roundWindowOf,
  type RoundWindow,
} from '../contract/repeats';

export interface ResyncStarterOptions {
  taskQueue: string;
  deadlineMs: number;
  followUpWindowMs: number;
  /** Lets deployments (or test runs) share a namespace without their resyncs joining each other. */
  workflowIdPrefix?: string;
  /** How long a start may take before the webhook gives up and answers 500 (LinkedIn retries). */
  startTimeoutMs: number;
  /** RESYNC_REPEAT_WINDOW (contract/repeats.ts); absent: REPEAT_WINDOW_MS. */
  repeatWindowMs?: number;
  /** Resyncs of more jobs start on `<taskQueue>-large` (see `largeResyncTaskQueue`); absent: none do. */
  large?: LargeResyncRouting;
}

export interface LargeResyncRouting {
  /** LARGE_RESYNC_JOBS (0: none is large). */
  minJobs: number;
  /**
   * Counts a sync-all's open jobs, up to `minJobs + 1`. Absent (the CLI has no store), a sync-all stays on
   * the main queue; a notification listing ids is sized by its list either way.
   */
  jobs?: Pick<JobSource, 'countOpenJobs'>;
}

export interface StartedResync {
  workflowId: string;
  runId: string;
  /**
   * The notification was carried out in full MAX_ROUNDS_PER_WINDOW times within its window already
   * (contract/repeats.ts): answered 200, nothing started.
   */
  notRedone?: true;
}

export interface ResyncStarter {
  start(notification: JobResyncNotification, receivedAt: number): Promise<StartedResync>;
  /** Whether Temporal answers right now. */
  ready(): Promise<boolean>;
}

/**
 * Starts one `resyncJobs` workflow per notification. The id comes from the notification and a running
 * workflow with that id is joined (signal-with-start), so redeliveries never start duplicate work.
 */
export function createResyncStarter(client: Client, options: ResyncStarterOptions): ResyncStarter {
  // A burst of one notification's deliveries shares the start in flight: one signal-with-start rather than
  // one each, queued on one workflow until most outlast the start timeout and are answered 500.
  const starting = new Map<string, Promise<StartedResync>>();
  return {
    start(notification, receivedAt) {
      const workflowId = workflowIdFor(notification, options.workflowIdPrefix);
      annotateNotification(notification.developerApplicationUrn, workflowId);
      const pending = starting.get(workflowId);
      if (pending !== undefined) return pending;
      const started = startOne(notification, receivedAt, workflowId).finally(() =>
        starting.delete(workflowId),
      );
      starting.set(workflowId, started);
      return started;
    },
    async ready() {
      try {
        await client.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };

  async function startOne(
    notification: JobResyncNotification,
    receivedAt: number,
    workflowId: string,
  ): Promise<StartedResync> {
    const request = canonicalRequest(notification);
    const input: ResyncInput = {
      ...request,
      receivedAt,
      deadlineMs: options.deadlineMs,
      followUpWindowMs: options.followUpWindowMs,
      ...(options.repeatWindowMs === undefined ? {} : { repeatWindowMs: options.repeatWindowMs }),
    };
    return withinTime(options.startTimeoutMs, async (signal) => {
      const { taskQueue, priority } = await placementOf(request, options);
      return client.withAbortSignal(signal, async () => {
        // Signal-with-start: a delivery starts the resync, or reaches the one running with this id (which
        // decides whether it joins or, everything being sent already, sends again). A resync with this id
        // that completed is not started again here: see `afterCompleted`.
        const started = await signalWithStart(
          workflowId,
          input,
          { taskQueue, priority },
          firstRound(receivedAt),
          'ALLOW_DUPLICATE_FAILED_ONLY',
        );
        return started ?? afterCompleted(workflowId, input, { taskQueue, priority });
      });
    });
  }

  /** Signal-with-start; undefined when Temporal refused it for the reuse policy. */
  async function signalWithStart(
    workflowId: string,
    input: ResyncInput,
    { taskQueue, priority }: ResyncPlacement,
    roundWindow: RoundWindow,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY',
  ): Promise<StartedResync | undefined> {
    try {
      const handle = await client.workflow.signalWithStart(WORKFLOW_TYPE, {
        taskQueue,
        priority,
        workflowId,
        args: [input],
        signal: notificationReceivedSignal,
        signalArgs: [{ receivedAt: input.receivedAt }],
        workflowIdReusePolicy,
        memo: { [ROUND_WINDOW_MEMO]: roundWindow },
        typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: input.developerApplicationUrn }],
        staticSummary: summaryOf(input),
      });
      return { workflowId, runId: handle.signaledRunId };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
      throw error;
    }
  }

  /**
   * A resync with this id completed (or another delivery's start raced ours): if it is running, this
   * delivery's own start raced it and it runs, which is what we want; if it completed, the notification is
   * carried out again unless it was carried out MAX_ROUNDS_PER_WINDOW times within its window already.
   */
  async function afterCompleted(
    workflowId: string,
    input: ResyncInput,
    placement: ResyncPlacement,
  ): Promise<StartedResync> {
    const last = await client.workflow.getHandle(workflowId).describe();
    if (last.status.name === 'RUNNING') return { workflowId, runId: '' };
    // Resyncs started before windows were kept carry none: their start opened theirs.
    const done = roundWindowOf(last.memo?.[ROUND_WINDOW_MEMO]) ?? firstRound(last.startTime.getTime());
    const next = nextRound(done, input.receivedAt, options.repeatWindowMs);
    if (!next) return { workflowId, runId: last.runId, notRedone: true };
    const again = { ...input, roundWindow: next };
    return (
      (await signalWithStart(workflowId, again, placement, next, 'ALLOW_DUPLICATE')) ?? {
        workflowId,
        runId: '',
      }
    );
  }
}

/** Where a resync runs: its task queue, and its place in that queue's dispatch. */
interface ResyncPlacement {
  taskQueue: string;
  priority: Priority;
}

/**
 * A resync of at most this many jobs (one SimpleJobPostings call) goes ahead of larger ones in the task
 * queue's dispatch: Temporal's `priorityKey` 1, the larger ones at the default (3 of 5).
 */
export const SMALL_RESYNC_JOBS = MAX_JOBS_PER_CALL;

/**
 * A resync of many jobs goes to the large resyncs' queue; one of a few jobs goes ahead in its queue; each
 * application is a fairness key of its own, so that in a storm no application's tasks wait behind all the
 * others'. (Temporal servers without priority and fairness turned on dispatch in order and ignore both.)
 * A sync-all is as large as the application's open jobs; when the store cannot say, it stays on the main
 * queue at the default priority (its listing retries there): the notification is still answered.
 */
async function placementOf(
  request: Pick<ResyncInput, 'developerApplicationUrn' | 'syncAllOpenJobs' | 'externalJobPostingIds'>,
  options: ResyncStarterOptions,
): Promise<ResyncPlacement> {
  const jobs = await jobsOf(request, options.large);
  const priority: Priority = applicationPriority(request.developerApplicationUrn);
  if (jobs !== undefined && jobs <= SMALL_RESYNC_JOBS) priority.priorityKey = 1;
  const large = options.large;
  const taskQueue =
    large && large.minJobs > 0 && jobs !== undefined
      ? resyncTaskQueue(options.taskQueue, jobs, large.minJobs)
      : options.taskQueue;
  return { taskQueue, priority };
}

/** The jobs a resync covers, counted up to the largest bound that matters; undefined when unknown. */
async function jobsOf(
  request: Pick<ResyncInput, 'developerApplicationUrn' | 'syncAllOpenJobs' | 'externalJobPostingIds'>,
  large: LargeResyncRouting | undefined,
): Promise<number | undefined> {
  if (!request.syncAllOpenJobs) return request.externalJobPostingIds.length;
  if (!large?.jobs) return undefined;
  // Counted, not listed: a sync-all of 500 jobs read 500 ids into the API to learn it has more than 100.
  const atMost = Math.max(large.minJobs, SMALL_RESYNC_JOBS) + 1;
  return large.jobs.countOpenJobs(request.developerApplicationUrn, atMost).catch(() => undefined);
}

/**
 * Bounds a Temporal call in wall-clock time, connecting included. If the start lands after we gave up,
 * LinkedIn's redelivery joins it (signal-with-start), so answering 500 here loses nothing.
 */
export async function withinTime<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`Temporal did not answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
