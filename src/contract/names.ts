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
