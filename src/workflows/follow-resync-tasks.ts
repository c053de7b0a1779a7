import {
  ActivityFailure,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TaskReport } from '../contract';
import { NON_RETRYABLE_FAILURES } from '../failures';
import { followUpTaskQueue } from '../names';
import { tasksReportedSignal } from './signals';

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
}

/** LinkedIn's words when an UPDATE names a job it does not have (linkedin.md §6). */
const NOT_ON_LINKEDIN = /not allowed for a non-existing job/i;

/**
 * Follows the tasks of one batch beside the resync (which goes on posting), then reports to it: confirmed,
 * failed with LinkedIn's reason, to be created, or still unconfirmed when the window ended. Each batch has
 * its own follower, so the resync's history never carries task urns across continue-as-new.
 */
export async function followResyncTasks(input: FollowResyncTasksInput): Promise<TaskReport> {
  const left = Math.max(1_000, input.until - Date.now());
  const { followTasks } = proxyActivities<Activities>({
    taskQueue: followUpTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: left + 60_000,
    scheduleToCloseTimeout: left + 120_000,
    heartbeatTimeout: '30 seconds',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
    },
  });
  const jobOf = new Map(input.tasks);
  const report: TaskReport = {
    operation: input.operation,
    round: input.round ?? 0,
    confirmed: [],
    failed: [],
    needsCreate: [],
    unconfirmed: [],
  };
  try {
    const tasks = await followTasks({
      developerApplicationUrn: input.developerApplicationUrn,
      taskUrns: input.tasks.map(([taskUrn]) => taskUrn),
      until: input.until,
    });
    for (const task of tasks) {
      const id = jobOf.get(task.taskUrn);
      if (id === undefined) continue;
      if (task.status === 'SUCCEEDED' || task.status === 'PROCESSED') report.confirmed.push(id);
      else if (task.status === 'IN_PROGRESS') report.unconfirmed.push(id);
      else if (input.operation === 'UPDATE' && NOT_ON_LINKEDIN.test(task.errorMessage ?? ''))
        report.needsCreate.push(id);
      else
        report.failed.push({
          externalJobPostingId: id,
          reason: task.errorMessage ?? 'LinkedIn gave no reason',
        });
    }
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    // Could not follow (LinkedIn kept failing, or answered outside its contract): the jobs were sent, unconfirmed.
    log.warn('task follow-up failed', { error: error.cause?.message ?? error.message });
    report.unconfirmed.push(...jobOf.values());
  }
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(tasksReportedSignal, report);
  } catch (error) {
    // The resync already ended (its follow-up window closed, or it missed the deadline): nobody to tell.
    log.info('resync no longer running; report kept in this workflow only', { error: String(error) });
  }
  return report;
}
