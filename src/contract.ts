/**
 * The contract shared by the webhook, the workflow and the tests: what LinkedIn sends, what a resync
 * takes and returns, and how a notification names its workflow.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { echo } from './echo';
import type { ResyncOutcome } from './names';

export {
  DEFAULT_TASK_QUEUE,
  DEVELOPER_APPLICATION_URN,
  followUpTaskQueue,
  MAX_JOB_DETAILS,
  RESYNC_OUTCOME,
} from './names';
export type { ResyncOutcome } from './names';
export const WORKFLOW_TYPE = 'resyncJobs';
/** LinkedIn's limit on one simpleJobPostings call. */
export const MAX_JOBS_PER_CALL = 100;

const DEVELOPER_APPLICATION_URN_PATTERN = /^urn:li:developerApplication:(\d+)$/;

const requiredString = (field: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
  });

const requiredBoolean = (field: string) =>
  z.boolean({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a boolean`),
  });

const NOTIFICATION_FIELDS = {
  developerApplicationUrn: requiredString('developerApplicationUrn').regex(
    DEVELOPER_APPLICATION_URN_PATTERN,
    {
      error: 'developerApplicationUrn must look like urn:li:developerApplication:{numeric id}',
    },
  ),
  type: requiredString('type').refine((type) => type === 'RESYNC_JOBS', {
    error: (issue) =>
      `type ${echo(JSON.stringify(issue.input))} is not supported; only RESYNC_JOBS is handled here`,
  }),
  syncAllOpenJobs: requiredBoolean('syncAllOpenJobs'),
  // Read below, once syncAllOpenJobs says whether the ids matter at all.
  externalJobPostingIds: z.unknown().optional(),
};

/**
 * LinkedIn's Job Resync Notification (linkedin.md §1). Unknown extra fields are tolerated, and so is
 * whatever LinkedIn could mean plainly: LinkedIn delivers again on every answer but 200, so a 400 for a
 * notification that was understood would repeat it forever and leave its valid part undone.
 * - syncAllOpenJobs true: every open job goes, so `externalJobPostingIds` is ignored whatever it holds
 *   (absent, null, ids of any length or content).
 * - syncAllOpenJobs false: the ids as a list, a single string read as a list of one; ids of any length
 *   (the ATS answers NOT_IN_ATS for the ones it does not hold). At least one id is required.
 * The output lists the ids (none for a sync-all); `canonicalRequest` de-duplicates and sorts them.
 */
export const JobResyncNotification = z
  .object(NOTIFICATION_FIELDS, { error: 'the notification must be a JSON object' })
  .transform((notification, ctx): JobResyncNotification => {
    const { externalJobPostingIds: ids, ...rest } = notification;
    if (notification.syncAllOpenJobs) return { ...rest };
    const listed = readIds(ids, ctx);
    if (listed === undefined) return z.NEVER;
    return { ...rest, externalJobPostingIds: listed };
  });
export interface JobResyncNotification {
  developerApplicationUrn: string;
  type: string;
  syncAllOpenJobs: boolean;
  /** Absent for a sync-all. */
  externalJobPostingIds?: string[];
}

/** The ids of a notification with syncAllOpenJobs false, or undefined after reporting what is wrong. */
function readIds(value: unknown, ctx: z.RefinementCtx): string[] | undefined {
  const none = 'externalJobPostingIds must list at least one job when syncAllOpenJobs is false';
  const list = typeof value === 'string' ? [value] : value;
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    ctx.addIssue({ code: 'custom', path: ['externalJobPostingIds'], message: none });
    return undefined;
  }
  if (!Array.isArray(list)) {
    ctx.addIssue({
      code: 'custom',
      path: ['externalJobPostingIds'],
      message: 'externalJobPostingIds must be an array of strings',
    });
    return undefined;
  }
  const ids: string[] = [];
  list.forEach((id: unknown, index) => {
    if (typeof id !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['externalJobPostingIds', index], message: 'must be a string' });
    } else if (id === '') {
      ctx.addIssue({ code: 'custom', path: ['externalJobPostingIds', index], message: 'must not be empty' });
    } else ids.push(id);
  });
  return ids.length === list.length ? ids : undefined;
}

/** One readable sentence naming what is wrong, for LinkedIn's `errorMessage`. */
export function describeNotificationError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const [field, ...rest] = issue.path;
      // Messages of top-level fields already name the field; array elements get their index.
      if (field === 'externalJobPostingIds' && typeof rest[0] === 'number') {
        return `externalJobPostingIds[${rest[0]}] ${issue.message}`;
      }
      return issue.message;
    })
    .join('; ');
}

export function applicationIdOf(developerApplicationUrn: string): string {
  const match = DEVELOPER_APPLICATION_URN_PATTERN.exec(developerApplicationUrn);
  if (!match?.[1]) throw new Error(`not a developer application urn: ${developerApplicationUrn}`);
  return match[1];
}

/**
 * What a resync is asked to do, independent of how LinkedIn worded it: the digest is taken over this, so
 * equivalent deliveries (ids repeated or reordered, one id as a string, ids beside syncAllOpenJobs) join.
 */
export function canonicalRequest(notification: {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  externalJobPostingIds?: readonly string[] | undefined;
}): {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  externalJobPostingIds: string[];
} {
  return {
    developerApplicationUrn: notification.developerApplicationUrn,
    syncAllOpenJobs: notification.syncAllOpenJobs,
    // With syncAllOpenJobs every open job goes anyway, so listed ids change nothing.
    externalJobPostingIds: notification.syncAllOpenJobs
      ? []
      : [...new Set(notification.externalJobPostingIds ?? [])].sort(),
  };
}

/**
 * The workflow id of a notification: readable (application, scope) and derived from the canonical
 * request, so a redelivery of the same notification maps to the same workflow.
 */
export function workflowIdFor(notification: Parameters<typeof canonicalRequest>[0], prefix = ''): string {
  const request = canonicalRequest(notification);
  const digest = createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 16);
  const scope = request.syncAllOpenJobs ? 'all-open-jobs' : `${request.externalJobPostingIds.length}-jobs`;
  return `${prefix}resync-app-${applicationIdOf(request.developerApplicationUrn)}-${scope}-${digest}`;
}

/** The application a resync's workflow id (or its followers' ids) names, if it follows `workflowIdFor`. */
export function applicationOfWorkflowId(workflowId: string): string | undefined {
  const match = /(?:^|-)resync-app-(\d+)-/.exec(workflowId);
  return match ? `urn:li:developerApplication:${match[1]}` : undefined;
}

export function summaryOf(request: {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  externalJobPostingIds: readonly string[];
}): string {
  const what = request.syncAllOpenJobs
    ? 'all open jobs'
    : `${request.externalJobPostingIds.length} job${request.externalJobPostingIds.length === 1 ? '' : 's'}`;
  return `Resync ${what} for ${request.developerApplicationUrn}`;
}

/** The workflow's input: ids and times only, never job bodies. */
export interface ResyncInput {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  /** Requested ids, unique, sorted; empty when syncAllOpenJobs. */
  externalJobPostingIds: string[];
  /** Epoch ms when the webhook received the notification: the deadline counts from here. */
  receivedAt: number;
  /** How long after receipt every job must have been sent. */
  deadlineMs: number;
  /** How long after receipt LinkedIn's tasks are followed; may reach past the deadline. */
  followUpWindowMs: number;
  /** Which time LinkedIn asked (0 first; a delivery after everything was sent starts the next round). */
  round?: number;
  /** Batches per run before continuing as new (default 100); tests lower it to exercise the chain. */
  batchesPerRun?: number;
  /** State carried over continue-as-new; absent on the first run. */
  carry?: ResyncCarry;
}

/**
 * What a job became. OUTCOME_UNKNOWN: its call was still unanswered when the deadline abandoned it, so
 * LinkedIn may or may not have received it. MISSED_DEADLINE: it was never sent.
 */
export type JobFate =
  'UPDATED' | 'CREATED' | 'CLOSED' | 'REJECTED' | 'NOT_IN_ATS' | 'MISSED_DEADLINE' | 'OUTCOME_UNKNOWN';

/** Whether LinkedIn confirmed a sent job: its task ended SUCCEEDED or PROCESSED. */
export type Confirmation = 'PENDING' | 'CONFIRMED' | 'UNCONFIRMED';

export interface JobResult {
  externalJobPostingId: string;
  fate: JobFate;
  /** For sent jobs: whether LinkedIn's task confirmed it (UNCONFIRMED: still running when follow-up ended). */
  confirmation?: Confirmation;
  /** LinkedIn's task, when the job was accepted for processing. */
  taskUrn?: string;
  /** Why, when the job was rejected or missed the deadline. */
  reason?: string;
}

export interface ResyncTotals {
  /** Jobs asked for (all open jobs listed so far, for a sync-all). */
  requested: number;
  /** updated + created + closed. */
  sent: number;
  updated: number;
  created: number;
  closed: number;
  /** Sent jobs whose LinkedIn task ended SUCCEEDED or PROCESSED. */
  confirmed: number;
  /** Sent jobs whose task was still running when the follow-up window ended. */
  unconfirmed: number;
  rejected: number;
  notInAts: number;
  missedDeadline: number;
  /** Sent in a call the deadline abandoned unanswered (absent in results of earlier releases). */
  outcomeUnknown?: number;
}

export interface ResyncCarry {
  runs: number;
  /** Explicit ids: the next index to send. */
  nextIndex: number;
  /** Sync-all: the last open job id sent; the next listing starts after it. */
  after: string | undefined;
  listingDone: boolean;
  batchNumber: number;
  totals: ResyncTotals;
  jobs: JobResult[];
  jobsLeftOut: number;
  createQueue: string[];
  awaitingReports: number;
  /** Ids LinkedIn accepted a CREATE for in this round, oldest first (bounded); absent in older runs. */
  created?: string[];
  /**
   * Every follower of this execution carries its run id, so a report without one is another's. Absent when
   * the execution began on an earlier release, whose followers report without it.
   */
  reportsBound?: boolean;
}

export interface ResyncResult {
  developerApplicationUrn: string;
  outcome: ResyncOutcome;
  totals: ResyncTotals;
  /**
   * Per job: every job while the resync has at most MAX_JOB_DETAILS of them; beyond that the jobs that did
   * not simply succeed come first, and `jobsLeftOut` says how many were not listed.
   */
  jobs: JobResult[];
  jobsLeftOut: number;
  /** How many times the workflow continued as new (history stays small at any size). */
  continuedAsNew: number;
}

/** The failure details of a resync that missed its deadline. */
export interface DeadlineExceededDetails {
  /** Not sent (at most MAX_JOB_DETAILS listed; see notSentCount). */
  notSent: string[];
  notSentCount: number;
  /** In the call the deadline abandoned unanswered: LinkedIn may have received them. */
  outcomeUnknown?: string[];
  result: ResyncResult;
}

/** What one follow-up of LinkedIn tasks reports back to its resync. */
export interface TaskReport {
  operation: 'UPDATE' | 'CREATE' | 'CLOSE';
  /** The round of the resync whose tasks these are. */
  round?: number;
  /**
   * The `firstExecutionRunId` of the resync that started the follower: a resync drops reports of another
   * execution of its workflow id (absent from followers of earlier releases).
   */
  resyncRunId?: string;
  /**
   * An early report of jobs to CREATE, sent as soon as LinkedIn says it lacks them; more reports of the same
   * follower follow, and only the last one (not partial) counts as the follower's report.
   */
  partial?: boolean;
  confirmed: string[];
  /** Tasks that ended FAILED, with LinkedIn's errorMessage. */
  failed: Array<{ externalJobPostingId: string; reason: string }>;
  /** UPDATEs LinkedIn refused because it does not have the job: send them with CREATE. */
  needsCreate: string[];
  /** Still IN_PROGRESS when the follow-up window ended. */
  unconfirmed: string[];
}
