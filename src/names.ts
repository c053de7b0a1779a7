import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Names shared by the API, the worker and workflow code. Kept apart from `contract.ts` because workflow
 * code imports them and must not pull Node built-ins into its bundle.
 */
export const DEVELOPER_APPLICATION_URN = defineSearchAttributeKey('DeveloperApplicationUrn', 'KEYWORD');
export const RESYNC_OUTCOME = defineSearchAttributeKey('ResyncOutcome', 'KEYWORD');
/** On a drift check: "true" when it found jobs to repair, "false" when LinkedIn matched the ATS. */
export const DRIFT_FOUND = defineSearchAttributeKey('DriftFound', 'KEYWORD');

export const SEARCH_ATTRIBUTE_NAMES = [
  DEVELOPER_APPLICATION_URN.name,
  RESYNC_OUTCOME.name,
  DRIFT_FOUND.name,
] as const;

export type ResyncOutcome = 'SUCCEEDED' | 'PARTIAL' | 'DEADLINE_EXCEEDED';

export const DEFAULT_TASK_QUEUE = 'linkedin-job-resync';

/**
 * Following LinkedIn's tasks waits for minutes; those activities get a task queue (and worker slots) of
 * their own, so they never hold back the posting.
 */
export function followUpTaskQueue(taskQueue: string): string {
  return `${taskQueue}-task-follow-up`;
}

/** Per-job results kept in a resync's state and result; beyond this only totals grow. */
export const MAX_JOB_DETAILS = 1_000;
