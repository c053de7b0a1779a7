import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  log,
  ParentClosePolicy,
  deprecatePatch,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DriftActivities } from '../../activities';
import type { DeadlineExceededDetails, JobResult, ResyncResult } from '../../contract';
import type {
  DriftCheckInput,
  DriftCheckResult,
  JobStatusChangedInput,
  JobStatusChangedResult,
} from '../../contract/drift';
import { FailureType, NON_RETRYABLE_FAILURES } from '../../failures';
import {
  DEFAULT_LARGE_RESYNC_JOBS,
  DEVELOPER_APPLICATION_URN,
  DRIFT_FOUND,
  resyncTaskQueue,
} from '../../contract/names';
import { driftProgressQuery } from '../../contract/drift';
import { DEFAULT_MAX_REPAIRS, DriftTally } from './drift-tally';
import { resyncJobs } from '../../workflows/resync-jobs';

const PAGE_SIZE = 1_000;
/** Drifted ids per repair resync: its input stays small in history. */
const MAX_IDS_PER_REPAIR = 5_000;
const NOT_REPAIRED = new Set(['REJECTED', 'NOT_IN_ATS', 'MISSED_DEADLINE']);

/**
 * Added in 3239503, deprecated now (its old branch is gone). Drift repairs converge (issue 18): a CHANGED job LinkedIn still shows with the difference its repair was
 * sent for is "LinkedIn shows …" (decided by checkDriftPage), the repaired CHANGED jobs are recorded for
 * the next check, a check that finds most listed jobs differing repairs none of the CHANGED ones, and
 * repairs per check are bounded (`maxRepairs`).
 */
const REPAIRS_CONVERGE = 'drift-repairs-converge';

/** The repair's resync terms, as a notification's would be. */
type RepairTerms = Pick<DriftCheckInput, 'deadlineMs' | 'followUpWindowMs' | 'largeResyncJobs'>;

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
  const tally = new DriftTally();
  setHandler(driftProgressQuery, () => tally.progress());

  await compareAll(urn, input.pageSize ?? PAGE_SIZE, tally);
  deprecatePatch(REPAIRS_CONVERGE);
  const ids = tally.planRepairs(input.maxRepairs ?? DEFAULT_MAX_REPAIRS);
  const found = tally.driftCount > 0 || tally.comparisonDisagrees;
  upsertSearchAttributes([{ key: DRIFT_FOUND, value: found ? 'true' : 'false' }]);
  log.info('drift check compared', {
    checked: tally.checked,
    drifted: { ...tally.drifted },
    undecided: tally.undecided,
  });
  if (tally.comparisonDisagrees) {
    log.warn('drift check: the comparison disagrees with LinkedIn, CHANGED jobs not repaired', {
      developerApplicationUrn: urn,
      listed: tally.listed,
      changed: tally.drifted.CHANGED,
      differing: tally.differing,
    });
  }
  const repairWorkflowIds = await repairAll(info.workflowId, urn, input, tally, ids);
  const changedRepaired = tally.changedRepairedIds();
  if (changedRepaired.length > 0) {
    // The next check reports these as "LinkedIn shows …" if they still differ the same way.
    await checking
      .recordDriftRepairs({ developerApplicationUrn: urn, externalJobPostingIds: changedRepaired })
      .catch((error: unknown) => log.warn('drift repairs not recorded', { error: String(error) }));
  }

  const summary = tally.summary();
  setCurrentDetails(summary);
  await checking
    .recordDriftCheck({
      developerApplicationUrn: urn,
      checked: tally.checked,
      repaired: tally.repaired,
      comparisonDisagrees: tally.comparisonDisagrees,
    })
    .catch((error: unknown) => log.warn('drift check not counted', { error: String(error) }));
  tally.done = true;
  log.info(summary, { repaired: { ...tally.repaired }, notRepaired: tally.notRepaired });
  return tally.result(urn, repairWorkflowIds, summary);
}

/** Reads the application's ATS jobs a page at a time and adds what LinkedIn shows for them to the tally. */
async function compareAll(urn: string, pageSize: number, tally: DriftTally): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const page = await checking.checkDriftPage({ developerApplicationUrn: urn, after, limit: pageSize });
    tally.addPage(page);
    if (page.checked < pageSize || page.lastId === undefined) return;
    after = page.lastId;
  }
}

/** Repairs the ids, at most MAX_IDS_PER_REPAIR a child, one after another; returns the children's ids. */
async function repairAll(
  checkId: string,
  urn: string,
  timing: RepairTerms,
  tally: DriftTally,
  ids: string[],
): Promise<string[]> {
  const repairWorkflowIds: string[] = [];
  for (let start = 0; start < ids.length; start += MAX_IDS_PER_REPAIR) {
    const part = ids.slice(start, start + MAX_IDS_PER_REPAIR);
    const workflowId = `${checkId}-repair-${repairWorkflowIds.length + 1}`;
    repairWorkflowIds.push(workflowId);
    tally.repairStarted(part);
    const failed = await repair(
      workflowId,
      urn,
      part,
      timing,
      `Repair ${part.length} drifted jobs of ${urn}`,
    );
    tally.repairEnded(part, failed);
  }
  return repairWorkflowIds;
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
    linkedInShows: recorded.linkedInShows ?? null,
  };
  if (recorded.drift === null) {
    setCurrentDetails(
      recorded.linkedInShows
        ? `${id}: ${recorded.linkedInShows}, as after its last repair; not sent again`
        : `${id}: ${recorded.listingStatus ?? 'not on LinkedIn'}, as the ATS has it`,
    );
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
  timing: RepairTerms,
  summary: string,
  fates = new Map<string, string>(),
): Promise<Set<string>> {
  let jobs: JobResult[];
  try {
    const taskQueue = resyncTaskQueue(
      workflowInfo().taskQueue,
      ids.length,
      timing.largeResyncJobs ?? DEFAULT_LARGE_RESYNC_JOBS,
    );
    const result: ResyncResult = await executeChild(resyncJobs, {
      workflowId,
      taskQueue,
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
