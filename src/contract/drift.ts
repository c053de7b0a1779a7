/**
 * What the drift check and the Job Status Change workflows take and return, how they are named and the
 * query that shows a check's progress: what the API, the CLI and the workflows share about drift.
 */
import { defineQuery } from '@temporalio/workflow';
import type { LinkedInJobStatus } from '../linkedin/job-posting-status';
import { applicationIdOf } from './urn';

/**
 * How a job's LinkedIn side differs from the ATS, and how the repair goes (through resyncJobs):
 * - NOT_LISTED: open in the ATS, NOT_LISTED or absent on LinkedIn → UPDATE (CREATE when LinkedIn lacks it);
 * - CLOSED_BUT_LISTED: closed in the ATS, LISTED on LinkedIn → CLOSE (resyncJobs sends closed jobs so);
 * - CHANGED: listed with another listedAt or location than the ATS's → UPDATE.
 */
export type DriftKind = 'NOT_LISTED' | 'CLOSED_BUT_LISTED' | 'CHANGED';
export const DRIFT_KINDS: readonly DriftKind[] = ['NOT_LISTED', 'CLOSED_BUT_LISTED', 'CHANGED'];

export interface ShownDifference {
  externalJobPostingId: string;
  /** 'LinkedIn shows location "Austin, Texas, United States" for "Austin, TX"' */
  message: string;
}

export interface StatusProblem {
  externalJobPostingId: string;
  field: 'listingStatus' | 'linkedInApplyStatus' | 'promotionStatus';
  errorType: 'CUSTOMER_ERROR' | 'PARTNER_ERROR';
  errorCode: number | null;
  message: string | null;
}

export const DRIFT_CHECK_WORKFLOW_TYPE = 'driftCheck';
export const JOB_STATUS_CHANGED_WORKFLOW_TYPE = 'jobStatusChanged';

export interface DriftCheckInput {
  developerApplicationUrn: string;
  /** The repair's resync deadline and follow-up window, as a notification's would be. */
  deadlineMs: number;
  followUpWindowMs: number;
  /** ATS jobs per status page (default 1,000: ten jobPostingStatus calls). */
  pageSize?: number;
  /** LARGE_RESYNC_JOBS: a repair of more drifted jobs runs on the large resyncs' queue (default 1,000). */
  largeResyncJobs?: number;
  /** Drifted jobs one check repairs at most, the rest left to the next check (default 1,000). */
  maxRepairs?: number;
}

export interface DriftCheckProgress {
  checked: number;
  drifted: number;
  /** Drifted jobs handed to the repair resync so far, and those sent again. */
  repairing: number;
  repaired: number;
  done: boolean;
}

export interface DriftCheckResult {
  developerApplicationUrn: string;
  checked: number;
  inSync: number;
  /** Listing IN_PROGRESS or unreadable: looked at again by the next check. */
  undecided: number;
  drifted: Record<DriftKind, number>;
  /** Drifted jobs the repair resync sent (UPDATE, CREATE or CLOSE), by kind. */
  repaired: Record<DriftKind, number>;
  /** Drifted jobs whose repair was rejected, missing from the ATS or late (with reasons in the resync). */
  notRepaired: number;
  /** The resyncs that repaired them. */
  repairWorkflowIds: string[];
  /** Jobs LinkedIn reports with a CUSTOMER_ERROR or PARTNER_ERROR detail (at most 100 listed). */
  problems: StatusProblem[];
  problemCount: number;
  /** Jobs open in the ATS and listed on LinkedIn: those whose listedAt and location were compared. */
  listed: number;
  /**
   * Jobs re-posted for CHANGED by an earlier check that LinkedIn still shows with the same difference: not
   * sent again, "LinkedIn shows location … for …" (at most 100 listed).
   */
  linkedInShows: ShownDifference[];
  linkedInShowsCount: number;
  /**
   * Most of the listed jobs differ (CHANGED or shown so): the comparison, not LinkedIn, is likely wrong,
   * and no CHANGED job was repaired (docs/drift.md, "A drift alarm").
   */
  comparisonDisagrees: boolean;
  /** Drifted jobs beyond this check's bound on repairs (`maxRepairs`): the next check finds them again. */
  leftForNextCheck: number;
  /** "Drift check of 280 jobs: 3 repaired" */
  summary: string;
}

export interface JobStatusChangedInput {
  developerApplicationUrn: string;
  externalJobPostingId: string;
  status: LinkedInJobStatus;
  carriesListingStatus: boolean;
  receivedAt: number;
  deadlineMs: number;
  followUpWindowMs: number;
}

export interface JobStatusChangedResult {
  developerApplicationUrn: string;
  externalJobPostingId: string;
  listingStatus: LinkedInJobStatus['listingStatus'];
  drift: DriftKind | null;
  /** The resync that repaired the job, when it had drifted. */
  repairWorkflowId: string | null;
  /** The job's fate in that resync (UPDATED, CREATED, CLOSED, REJECTED …). */
  repairFate: string | null;
  /** "LinkedIn shows …" when the job differs as it did after a drift check re-posted it (not repaired). */
  linkedInShows?: string | null;
}

/** The schedule of an application's drift checks; its workflows are named after it. */
export function driftScheduleId(developerApplicationUrn: string, prefix = ''): string {
  return `${prefix}drift-app-${applicationIdOf(developerApplicationUrn)}`;
}

/** A drift check run by hand (`npm run resync -- drift`), named for when it started. */
export function manualDriftCheckId(developerApplicationUrn: string, at: number, prefix = ''): string {
  return `${driftScheduleId(developerApplicationUrn, prefix)}-now-${new Date(at).toISOString()}`;
}

/**
 * One workflow per distinct notification: a redelivery of the same body joins (or repeats, harmlessly)
 * the one it started.
 */
export function jobStatusWorkflowId(developerApplicationUrn: string, digest: string, prefix = ''): string {
  return `${prefix}job-status-app-${applicationIdOf(developerApplicationUrn)}-${digest}`;
}

/** The digest `jobStatusWorkflowId` names a notification by: what LinkedIn said, not when it said it. */
export function jobStatusContent(notification: {
  developerApplicationUrn: string;
  status: LinkedInJobStatus;
}): string {
  return JSON.stringify([notification.developerApplicationUrn, notification.status]);
}

/** How far a drift check is: the CLI and the Web UI's Queries tab ask it. */
export const driftProgressQuery = defineQuery<DriftCheckProgress>('driftProgress');
