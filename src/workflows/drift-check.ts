import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  log,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DriftActivities } from '../activities';
import type { DeadlineExceededDetails, JobResult, ResyncResult } from '../contract';
import type {
  DriftCheckInput,
  DriftCheckResult,
  DriftKind,
  JobStatusChangedInput,
  JobStatusChangedResult,
  StatusProblem,
} from '../drift-contract';
import { FailureType, NON_RETRYABLE_FAILURES } from '../failures';
import { DEVELOPER_APPLICATION_URN, DRIFT_FOUND } from '../contract/names';
import { driftProgressQuery } from './drift-queries';
import { resyncJobs } from './resync-jobs';

const PAGE_SIZE = 1_000;
/** Drifted ids per repair resync: its input stays small in history. */
const MAX_IDS_PER_REPAIR = 5_000;
const MAX_PROBLEMS_LISTED = 100;
const NOT_REPAIRED = new Set(['REJECTED', 'NOT_IN_ATS', 'MISSED_DEADLINE']);

const checking = proxyActivities<DriftActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
  },
});

function byKind(): Record<DriftKind, number> {
  return { NOT_LISTED: 0, CLOSED_BUT_LISTED: 0, CHANGED: 0 };
}

/**
 * Compares what LinkedIn shows for every job of one application with the ATS (jobPostingStatus, 100 jobs a
 * call, in the application's lane) and repairs what drifted through resyncJobs, as a child, so the
 * deadline, lanes and at-least-once rules of a resync hold for the repairs too. Started by the
 * application's schedule (overlap SKIP) or by `npm run resync -- drift`.
 */
export async function driftCheck(input: DriftCheckInput): Promise<DriftCheckResult> {
  const info = workflowInfo();
  const urn = input.developerApplicationUrn;
  if (!info.typedSearchAttributes.get(DEVELOPER_APPLICATION_URN)) {
    upsertSearchAttributes([{ key: DEVELOPER_APPLICATION_URN, value: urn }]);
  }
  const drifts = new Map<string, DriftKind>();
  const drifted = byKind();
  const repaired = byKind();
  const problems: StatusProblem[] = [];
  let problemCount = 0;
  let checked = 0;
  let inSync = 0;
  let undecided = 0;
  let repairing = 0;
  let notRepaired = 0;
  let done = false;
  setHandler(driftProgressQuery, () => ({
    checked,
    drifted: drifts.size,
    repairing,
    repaired: repaired.NOT_LISTED + repaired.CLOSED_BUT_LISTED + repaired.CHANGED,
    done,
  }));

  const pageSize = input.pageSize ?? PAGE_SIZE;
  let after: string | undefined;
  for (;;) {
    const page = await checking.checkDriftPage({ developerApplicationUrn: urn, after, limit: pageSize });
    checked += page.checked;
    inSync += page.inSync;
    undecided += page.undecided;
    for (const { externalJobPostingId, kind } of page.drifted) {
      if (drifts.has(externalJobPostingId)) continue;
      drifts.set(externalJobPostingId, kind);
      drifted[kind]++;
    }
    problemCount += page.problems.length;
    for (const problem of page.problems) if (problems.length < MAX_PROBLEMS_LISTED) problems.push(problem);
    if (page.checked < pageSize || page.lastId === undefined) break;
    after = page.lastId;
  }
  upsertSearchAttributes([{ key: DRIFT_FOUND, value: drifts.size > 0 ? 'true' : 'false' }]);
  log.info('drift check compared', { checked, drifted: { ...drifted }, undecided });

  const repairWorkflowIds: string[] = [];
  const ids = [...drifts.keys()].sort();
  for (let start = 0; start < ids.length; start += MAX_IDS_PER_REPAIR) {
    const part = ids.slice(start, start + MAX_IDS_PER_REPAIR);
    const workflowId = `${info.workflowId}-repair-${repairWorkflowIds.length + 1}`;
    repairWorkflowIds.push(workflowId);
    repairing += part.length;
    const failed = await repair(workflowId, urn, part, input, `Repair ${part.length} drifted jobs of ${urn}`);
    for (const id of part) {
      const kind = drifts.get(id);
      if (!kind) continue;
      if (failed.has(id)) notRepaired++;
      else repaired[kind]++;
    }
  }

  const total = repaired.NOT_LISTED + repaired.CLOSED_BUT_LISTED + repaired.CHANGED;
  const summary = `Drift check of ${checked} job${checked === 1 ? '' : 's'}: ${total} repaired${
    notRepaired > 0 ? `, ${notRepaired} not repaired` : ''
  }`;
  setCurrentDetails(summary);
  await checking
    .recordDriftCheck({ developerApplicationUrn: urn, checked, repaired })
    .catch((error: unknown) => log.warn('drift check not counted', { error: String(error) }));
  done = true;
  log.info(summary, { repaired: { ...repaired }, notRepaired });
  return {
    developerApplicationUrn: urn,
    checked,
    inSync,
    undecided,
    drifted,
    repaired,
    notRepaired,
    repairWorkflowIds,
    problems,
    problemCount,
    summary,
  };
}

/**
 * One Job Status Change notification: records what LinkedIn says about the job and, when that is a drift
 * from the ATS (a job the ATS has open no longer listed, say), repairs the job through resyncJobs.
 */
export async function jobStatusChanged(input: JobStatusChangedInput): Promise<JobStatusChangedResult> {
  const info = workflowInfo();
  const urn = input.developerApplicationUrn;
  const id = input.externalJobPostingId;
  const recorded = await checking.recordJobStatusChange({
    developerApplicationUrn: urn,
    externalJobPostingId: id,
    status: input.status,
    carriesListingStatus: input.carriesListingStatus,
    receivedAt: input.receivedAt,
  });
  const result: JobStatusChangedResult = {
    developerApplicationUrn: urn,
    externalJobPostingId: id,
    listingStatus: recorded.listingStatus,
    drift: recorded.drift,
    repairWorkflowId: null,
    repairFate: null,
  };
  if (recorded.drift === null) {
    setCurrentDetails(`${id}: ${recorded.listingStatus ?? 'not on LinkedIn'}, as the ATS has it`);
    return result;
  }
  const workflowId = `${info.workflowId}-repair`;
  const fates = new Map<string, string>();
  await repair(workflowId, urn, [id], input, `Repair ${id} of ${urn} (${recorded.drift})`, fates);
  result.repairWorkflowId = workflowId;
  result.repairFate = fates.get(id) ?? null;
  setCurrentDetails(`${id}: ${recorded.drift}, repaired (${result.repairFate ?? 'unknown'})`);
  return result;
}

/**
 * Runs resyncJobs for the ids as a child and returns the ids it did not repair. The resync sends open
 * jobs with UPDATE (CREATE when LinkedIn lacks them) and closed jobs with CLOSE.
 */
async function repair(
  workflowId: string,
  urn: string,
  ids: string[],
  timing: { deadlineMs: number; followUpWindowMs: number },
  summary: string,
  fates = new Map<string, string>(),
): Promise<Set<string>> {
  let jobs: JobResult[];
  try {
    const result: ResyncResult = await executeChild(resyncJobs, {
      workflowId,
      // A repair under way finishes even if the check is ended by hand: a sent job is followed to the end.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: urn }],
      staticSummary: summary,
      args: [
        {
          developerApplicationUrn: urn,
          syncAllOpenJobs: false,
          externalJobPostingIds: ids,
          receivedAt: Date.now(),
          deadlineMs: timing.deadlineMs,
          followUpWindowMs: timing.followUpWindowMs,
        },
      ],
    });
    jobs = result.jobs;
  } catch (error) {
    const details = deadlineDetails(error);
    if (!details) throw error;
    jobs = details.result.jobs;
  }
  const failed = new Set<string>();
  for (const job of jobs) {
    fates.set(job.externalJobPostingId, job.fate);
    if (NOT_REPAIRED.has(job.fate)) failed.add(job.externalJobPostingId);
  }
  return failed;
}

/** The partial result of a repair that missed its deadline; undefined for any other failure. */
function deadlineDetails(error: unknown): DeadlineExceededDetails | undefined {
  if (!(error instanceof ChildWorkflowFailure)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.ResyncDeadlineExceeded)
    return undefined;
  return cause.details?.[0] as DeadlineExceededDetails | undefined;
}
