import { defineSearchAttributeKey } from '@temporalio/common';

export const WORKFLOW_TYPE = 'resyncJobs';
export const DEFAULT_TASK_QUEUE = 'linkedin-job-resync';

/**
 * Following LinkedIn's tasks waits for minutes; those activities get a task queue (and worker slots) of
 * their own, so they never hold back the posting.
 */
export function followUpTaskQueue(taskQueue: string): string {
  return `${taskQueue}-task-follow-up`;
}

/**
 * Resyncs of many jobs run on a task queue of their own, served by workers of their own (a workflow thread
 * and slots apart): their activities, workflow tasks and the replay of a long run's history never hold up
 * small ones. Continue-as-new, followers and their follow-ups stay on it.
 */
export function largeResyncTaskQueue(taskQueue: string): string {
  return `${taskQueue}-large`;
}

/** LARGE_RESYNC_JOBS' default: a resync of more jobs than this is large. */
export const DEFAULT_LARGE_RESYNC_JOBS = 1_000;

/** The queue a resync of `jobs` jobs starts on; `largeResyncJobs` 0 keeps every resync on `taskQueue`. */
export function resyncTaskQueue(taskQueue: string, jobs: number, largeResyncJobs: number): string {
  return largeResyncJobs > 0 && jobs > largeResyncJobs ? largeResyncTaskQueue(taskQueue) : taskQueue;
}

export const DEVELOPER_APPLICATION_URN = defineSearchAttributeKey('DeveloperApplicationUrn', 'KEYWORD');
export const RESYNC_OUTCOME = defineSearchAttributeKey('ResyncOutcome', 'KEYWORD');
/** On a drift check: "true" when it found jobs to repair, "false" when LinkedIn matched the ATS. */
export const DRIFT_FOUND = defineSearchAttributeKey('DriftFound', 'KEYWORD');
export const SEARCH_ATTRIBUTE_NAMES = [
  DEVELOPER_APPLICATION_URN.name,
  RESYNC_OUTCOME.name,
  DRIFT_FOUND.name,
] as const;

/** How a resync ends, as the `ResyncOutcome` search attribute shows it (`ResyncOutcome` is its schema). */
export const RESYNC_OUTCOMES = ['SUCCEEDED', 'PARTIAL', 'DEADLINE_EXCEEDED'] as const;

/** LinkedIn's limit on one simpleJobPostings call. */
export const MAX_JOBS_PER_CALL = 100;
/** Per-job results kept in a resync's state and result; beyond this only totals grow. */
export const MAX_JOB_DETAILS = 1_000;
