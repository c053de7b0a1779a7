/**
 * What a resync takes, carries, reports and returns: zod schemas, each type inferred from its schema, so
 * the workflow, the API reading results back and the tests share one definition.
 */
import { z } from 'zod';
import { RESYNC_OUTCOMES } from './names';

/**
 * What a job became. OUTCOME_UNKNOWN: its call was still unanswered when the deadline abandoned it, so
 * LinkedIn may or may not have received it. MISSED_DEADLINE: it was never sent.
 */
/** How a resync ended, as the `ResyncOutcome` search attribute shows it. */
export const ResyncOutcome = z.enum(RESYNC_OUTCOMES);
export type ResyncOutcome = z.infer<typeof ResyncOutcome>;

export const JobFate = z.enum([
  'UPDATED',
  'CREATED',
  'CLOSED',
  'REJECTED',
  'NOT_IN_ATS',
  'MISSED_DEADLINE',
  'OUTCOME_UNKNOWN',
]);
export type JobFate = z.infer<typeof JobFate>;

/** Whether LinkedIn confirmed a sent job: its task ended SUCCEEDED or PROCESSED. */
export const Confirmation = z.enum(['PENDING', 'CONFIRMED', 'UNCONFIRMED']);
export type Confirmation = z.infer<typeof Confirmation>;

/** The operations a resync sends; a job closed in the ATS always goes as CLOSE. */
export const Operation = z.enum(['UPDATE', 'CREATE', 'CLOSE']);
export type Operation = z.infer<typeof Operation>;

export const JobResult = z.object({
  externalJobPostingId: z.string(),
  fate: JobFate,
  /** For sent jobs: whether LinkedIn's task confirmed it (UNCONFIRMED: still running when follow-up ended). */
  confirmation: Confirmation.optional(),
  /** LinkedIn's task, when the job was accepted for processing. */
  taskUrn: z.string().optional(),
  /** Why, when the job was rejected or missed the deadline. */
  reason: z.string().optional(),
});
export type JobResult = z.infer<typeof JobResult>;

export const ResyncTotals = z.object({
  /** Jobs asked for (all open jobs listed so far, for a sync-all). */
  requested: z.number(),
  /** updated + created + closed. */
  sent: z.number(),
  updated: z.number(),
  created: z.number(),
  closed: z.number(),
  /** Sent jobs whose LinkedIn task ended SUCCEEDED or PROCESSED. */
  confirmed: z.number(),
  /** Sent jobs whose task was still running when the follow-up window ended. */
  unconfirmed: z.number(),
  rejected: z.number(),
  notInAts: z.number(),
  missedDeadline: z.number(),
  /** Sent in a call the deadline abandoned unanswered (absent in results of earlier releases). */
  outcomeUnknown: z.number().optional(),
});
export type ResyncTotals = z.infer<typeof ResyncTotals>;

export const ResyncCarry = z.object({
  runs: z.number(),
  /** Explicit ids: the next index to send. */
  nextIndex: z.number(),
  /** Sync-all: the last open job id sent; the next listing starts after it. */
  after: z.string().optional(),
  listingDone: z.boolean(),
  /**
   * Sync-all in runs of batches: ids listed (the page read ahead included) and not sent yet, so the next
   * run starts sending without listing first. Absent in older runs, which list them again.
   */
  listed: z.array(z.string()).optional(),
  batchNumber: z.number(),
  totals: ResyncTotals,
  jobs: z.array(JobResult),
  jobsLeftOut: z.number(),
  createQueue: z.array(z.string()),
  awaitingReports: z.number(),
  /** Ids LinkedIn accepted a CREATE for in this round, oldest first (bounded); absent in older runs. */
  created: z.array(z.string()).optional(),
});
export type ResyncCarry = z.infer<typeof ResyncCarry>;

/** The workflow's input: ids and times only, never job bodies. */
export const ResyncInput = z.object({
  developerApplicationUrn: z.string(),
  syncAllOpenJobs: z.boolean(),
  /** Requested ids, unique, sorted; empty when syncAllOpenJobs. */
  externalJobPostingIds: z.array(z.string()),
  /** Epoch ms when the webhook received the notification: the deadline counts from here. */
  receivedAt: z.number(),
  /** How long after receipt every job must have been sent. */
  deadlineMs: z.number(),
  /** How long after receipt LinkedIn's tasks are followed; may reach past the deadline. */
  followUpWindowMs: z.number(),
  /** Which time LinkedIn asked (0 first; a delivery after everything was sent starts the next round). */
  round: z.number().optional(),
  /** This notification's rounds within its window (contract/repeats.ts); absent: this is the first. */
  roundWindow: z.object({ windowSince: z.number(), rounds: z.number() }).optional(),
  /** RESYNC_REPEAT_WINDOW (contract/repeats.ts); absent: REPEAT_WINDOW_MS. */
  repeatWindowMs: z.number().optional(),
  /** Batches per run before continuing as new (default 100); tests lower it to exercise the chain. */
  batchesPerRun: z.number().optional(),
  /** State carried over continue-as-new; absent on the first run. */
  carry: ResyncCarry.optional(),
});
export type ResyncInput = z.infer<typeof ResyncInput>;

export const ResyncResult = z.object({
  developerApplicationUrn: z.string(),
  outcome: ResyncOutcome,
  totals: ResyncTotals,
  /**
   * Per job: every job while the resync has at most MAX_JOB_DETAILS of them; beyond that the jobs that did
   * not simply succeed come first, and `jobsLeftOut` says how many were not listed.
   */
  jobs: z.array(JobResult),
  jobsLeftOut: z.number(),
  /** How many times the workflow continued as new (history stays small at any size). */
  continuedAsNew: z.number(),
});
export type ResyncResult = z.infer<typeof ResyncResult>;

/** The failure details of a resync that missed its deadline. */
export const DeadlineExceededDetails = z.object({
  /** Not sent (at most MAX_JOB_DETAILS listed; see notSentCount). */
  notSent: z.array(z.string()),
  notSentCount: z.number(),
  /** In the call the deadline abandoned unanswered: LinkedIn may have received them. */
  outcomeUnknown: z.array(z.string()).optional(),
  result: ResyncResult,
});
export type DeadlineExceededDetails = z.infer<typeof DeadlineExceededDetails>;

/** What the `progress` query answers while a resync runs. */
export const ResyncProgress = z.object({
  /** Jobs to send; null while a sync-all is still listing. */
  total: z.number().nullable(),
  sent: z.number(),
  confirmed: z.number(),
  rejected: z.number(),
  notInAts: z.number(),
  /** Not sent yet (null while a sync-all is still listing). */
  pending: z.number().nullable(),
  /** Batches whose LinkedIn tasks are still being followed. */
  awaitingConfirmation: z.number(),
});
export type ResyncProgress = z.infer<typeof ResyncProgress>;

/** What one follow-up of LinkedIn tasks reports back to its resync. */
export const TaskReport = z.object({
  operation: Operation,
  /** The round of the resync whose tasks these are. */
  round: z.number().optional(),
  /**
   * The `firstExecutionRunId` of the resync that started the follower: a resync drops reports of another
   * execution of its workflow id (absent from followers of earlier releases).
   */
  resyncRunId: z.string().optional(),
  /**
   * An early report of jobs to CREATE, sent as soon as LinkedIn says it lacks them; more reports of the same
   * follower follow, and only the last one (not partial) counts as the follower's report.
   */
  partial: z.boolean().optional(),
  confirmed: z.array(z.string()),
  /** Tasks that ended FAILED, with LinkedIn's errorMessage. */
  failed: z.array(z.object({ externalJobPostingId: z.string(), reason: z.string() })),
  /** UPDATEs LinkedIn refused because it does not have the job: send them with CREATE. */
  needsCreate: z.array(z.string()),
  /** Still IN_PROGRESS when the follow-up window ended. */
  unconfirmed: z.array(z.string()),
});
export type TaskReport = z.infer<typeof TaskReport>;
