import {
  ActivityFailure,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, FollowedTask } from '../activities';
import type { TaskReport } from '../contract';
import { NON_RETRYABLE_FAILURES } from '../failures';
import { followUpTaskQueue } from '../contract/names';
import { taskAction } from '../linkedin/answer-readings';
import { tasksReportedSignal } from '../contract/signals';
import { endedTasksOf } from '../contract/followed-tasks';

export interface FollowResyncTasksInput {
  /** The resync to report to (by workflow id, so a continued-as-new resync still hears it). */
  parentWorkflowId: string;
  developerApplicationUrn: string;
  operation: TaskReport['operation'];
  /** [task urn, externalJobPostingId] */
  tasks: Array<[string, string]>;
  /** Epoch ms: tasks still running then are reported unconfirmed. */
  until: number;
  /** The resync's round (a new one starts when LinkedIn asks again after everything was sent). */
  round?: number;
  /** The resync execution's first run id, carried in every report (absent from earlier releases). */
  resyncRunId?: string;
}

/** How long one follow-up activity may hold a worker slot. */
const SLICE_MS = 10_000;
/** Between slices no slot is held; the pause doubles while tasks stay unfinished. */
const FIRST_PAUSE_MS = 5_000;
const MAX_PAUSE_MS = 2 * 60_000;

const RETRY = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
};

/**
 * Follows the tasks of a batch (or a group of a run's batches) beside the resync, which goes on posting, then
 * reports to it: confirmed, failed with LinkedIn's reason, to be created, or still unconfirmed when the
 * window ended. The task urns live in the followers' histories, never in the resync's across continue-as-new.
 *
 * Follows in slices: each activity holds a worker slot for at most SLICE_MS (less when an UPDATE's task
 * fails), then a workflow timer waits without one, so stuck tasks cannot take every slot. Jobs LinkedIn
 * does not have are reported at once (a partial report), so their CREATE never waits for a slow batch-mate.
 */
export async function followResyncTasks(input: FollowResyncTasksInput): Promise<TaskReport> {
  return followTasksOf(input, (report) => tell(input, report));
}

/**
 * The follow-up itself, wherever it runs: in a follower (reporting by signal to its resync) or in the resync
 * (PATCH.followInResync: reporting straight into its ledger). Reports through `tell`, the last one complete.
 */
export async function followTasksOf(
  input: FollowResyncTasksInput,
  tell: (report: TaskReport) => Promise<void> | void,
  summary?: string,
): Promise<TaskReport> {
  const jobOf = new Map(input.tasks);
  const report: TaskReport = {
    operation: input.operation,
    round: input.round ?? 0,
    ...(input.resyncRunId === undefined ? {} : { resyncRunId: input.resyncRunId }),
    confirmed: [],
    failed: [],
    needsCreate: [],
    unconfirmed: [],
  };
  let pending = input.tasks.map(([taskUrn]) => taskUrn);
  let pause = FIRST_PAUSE_MS;
  try {
    for (;;) {
      const sliceEnd = Math.min(input.until, Date.now() + SLICE_MS);
      const tasks = await followSlice(input, pending, sliceEnd, summary);
      const toCreate: string[] = [];
      for (const task of tasks) {
        const id = jobOf.get(task.taskUrn);
        const action = taskAction(input.operation, task);
        if (id === undefined || action === 'not-finished') continue;
        if (action === 'confirm') report.confirmed.push(id);
        else if (action === 'create') toCreate.push(id);
        else report.failed.push(failedTask(id, task));
      }
      // Still pending: the tasks the slice did not see end (it may name them IN_PROGRESS or leave them out).
      const ended = new Set(
        tasks.filter((task) => task.status !== 'IN_PROGRESS').map((task) => task.taskUrn),
      );
      pending = pending.filter((taskUrn) => !ended.has(taskUrn));
      if (pending.length === 0 || Date.now() >= input.until) {
        report.needsCreate.push(...toCreate);
        break;
      }
      if (toCreate.length > 0) await tell({ ...emptyReport(report), needsCreate: toCreate, partial: true });
      // Returned before its end: a task failed, and its batch-mates may end any moment.
      if (Date.now() < sliceEnd) continue;
      await sleep(Math.min(pause, input.until - Date.now()));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('task follow-up failed', { error: error.cause?.message ?? error.message });
  }
  // Still running when the window ended, or not followed any more: sent, unconfirmed.
  for (const taskUrn of pending) {
    const id = jobOf.get(taskUrn);
    if (id !== undefined) report.unconfirmed.push(id);
  }
  await tell(report);
  return report;
}

/** The tasks of the slice that ended, each with its status. */
async function followSlice(
  input: FollowResyncTasksInput,
  taskUrns: string[],
  until: number,
  summary?: string,
): Promise<FollowedTask[]> {
  const left = Math.max(1_000, until - Date.now());
  const { followTasks } = proxyActivities<Activities>({
    // Followed in the resync: the Web UI names the batches, as a follower's summary does.
    ...(summary === undefined ? {} : { summary: `${summary}, ${taskUrns.length} to end` }),
    taskQueue: followUpTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: left + 60_000,
    // Retries go on until the follow-up window ends.
    scheduleToCloseTimeout: Math.max(left, input.until - Date.now()) + 120_000,
    heartbeatTimeout: '30 seconds',
    retry: RETRY,
  });
  const answer = await followTasks({
    developerApplicationUrn: input.developerApplicationUrn,
    taskUrns,
    until,
    returnOnFailure: input.operation === 'UPDATE',
    endedOnly: true,
    // The confirmed tasks go unnamed: a few bytes instead of ~100 a job (an argument, not a command:
    // replay does not compare it, and the answer of a worker that ignores it still reads).
    confirmedUnnamed: true,
  });
  return endedTasksOf(taskUrns, answer);
}

function failedTask(id: string, task: FollowedTask): TaskReport['failed'][number] {
  return { externalJobPostingId: id, reason: task.errorMessage ?? 'LinkedIn gave no reason' };
}

function emptyReport(report: TaskReport): TaskReport {
  return { ...report, confirmed: [], failed: [], needsCreate: [], unconfirmed: [] };
}

async function tell(input: FollowResyncTasksInput, report: TaskReport): Promise<void> {
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(tasksReportedSignal, report);
  } catch (error) {
    // The resync already ended (its follow-up window closed, or it missed the deadline): nobody to tell.
    log.info('resync no longer running; report kept in this workflow only', { error: String(error) });
  }
}
