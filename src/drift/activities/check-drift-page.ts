import { Context } from '@temporalio/activity';
import type { ChangedDifference, NotedDifference } from '../../ats/changed-repairs';
import type { JobToCheck } from '../../ats/job-status-store';
import { jobStatusChunks, type LinkedInJobStatus } from '../../linkedin/job-posting-status';
import { applicationOf, type ActivityDeps } from '../../activities/deps';
import { whileHeartbeating } from '../../activities/heartbeat';
import {
  changedDifference,
  driftOf,
  linkedInShows,
  problemsOf,
  sameDifference,
  type DriftKind,
  type ShownDifference,
  type StatusProblem,
} from './drift-kinds';
import { toActivityFailure } from '../../activities/activity-failures';
import { askStatuses, driftCheckIdOf, jobStatusesOf } from './job-statuses';

/** Jobs "LinkedIn shows …" a page lists at most (the check lists 100 in all); all are counted. */
const MAX_SHOWN_LISTED = 100;

export interface CheckDriftPageInput {
  developerApplicationUrn: string;
  /** The last job id of the previous page. */
  after: string | undefined;
  limit: number;
}

export interface CheckDriftPageOutput {
  /** Jobs of the ATS read on this page; fewer than `limit` means the last page. */
  checked: number;
  lastId: string | undefined;
  inSync: number;
  /**
   * Listing IN_PROGRESS or a value LinkedIn did not document, or a newer reading recorded while LinkedIn
   * answered (a notification): looked at again next time.
   */
  undecided: number;
  drifted: Array<{ externalJobPostingId: string; kind: DriftKind }>;
  problems: StatusProblem[];
  /**
   * Jobs open in the ATS that LinkedIn lists: those whose listedAt and location are compared (absent from
   * pages of checks begun before this field).
   */
  listed?: number;
  /**
   * Jobs a repair re-posted for CHANGED that LinkedIn shows with the same difference: not drifted, not
   * sent again. Counted; the first 100 listed.
   */
  linkedInShowsCount?: number;
  linkedInShows?: ShownDifference[];
}

/**
 * One page of the application's ATS jobs (open and closed): asks LinkedIn what it shows for them, 100 a
 * call, records it in linkedin_job_status and says which jobs drifted. A CHANGED job whose last repair was
 * sent and that LinkedIn shows with the same difference is not drifted but "LinkedIn shows …"; the other
 * CHANGED differences are noted (linkedin_changed_repairs) for the check's repair to mark. Ids, kinds,
 * counts and at most 100 "LinkedIn shows …" messages go back to the workflow.
 */
export function checkDriftPage(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  return async (input: CheckDriftPageInput): Promise<CheckDriftPageOutput> => {
    const context = Context.current();
    const checkId = driftCheckIdOf(context.info);
    return whileHeartbeating(
      () => undefined,
      () => checkPage(deps, input, checkId, now, context.cancellationSignal),
    ).catch((error: unknown) => {
      throw toActivityFailure(error);
    });
  };
}

async function checkPage(
  deps: ActivityDeps,
  input: CheckDriftPageInput,
  checkId: string,
  now: () => number,
  cancellation: AbortSignal,
): Promise<CheckDriftPageOutput> {
  const app = await applicationOf(deps, input.developerApplicationUrn);
  const store = jobStatusesOf(deps);
  const jobs = await store.listJobsToCheck(app.urn, {
    after: input.after,
    limit: input.limit,
  });
  const output: CheckDriftPageOutput = {
    checked: jobs.length,
    lastId: jobs[jobs.length - 1]?.externalJobPostingId,
    inSync: 0,
    undecided: 0,
    drifted: [],
    problems: [],
    listed: 0,
    linkedInShowsCount: 0,
    linkedInShows: [],
  };
  const byId = new Map(jobs.map((job) => [job.externalJobPostingId, job]));
  const noted = new Map(
    (await store.notedDifferences(app.urn, [...byId.keys()])).map((d) => [d.externalJobPostingId, d]),
  );
  const page: PageDecisions = { toNote: [], toForget: [] };
  for (const ids of jobStatusChunks([...byId.keys()])) {
    const { statuses: answered, askedAt } = await askStatuses(deps, app, ids, cancellation);
    // As of when LinkedIn was asked: a notification recorded meanwhile is newer and stays.
    const written = new Set(await store.record(app.urn, answered, 'DRIFT_CHECK', askedAt));
    for (const status of answered) {
      const job = byId.get(status.externalJobPostingId);
      if (!job) continue;
      // An answer older than what was recorded meanwhile repairs nothing: the newer reading decides.
      if (written.has(job.externalJobPostingId))
        compare(output, page, job, status, noted.get(job.externalJobPostingId));
      else output.undecided++;
    }
  }
  await store.noteDifferences(app.urn, checkId, page.toNote, now());
  await store.forgetDifferences(app.urn, page.toForget);
  return output;
}

/** What the page writes to linkedin_changed_repairs once compared. */
interface PageDecisions {
  /** CHANGED differences not known to be repaired already. */
  toNote: ChangedDifference[];
  /** Jobs with a noted difference that LinkedIn now shows as the ATS holds them. */
  toForget: string[];
}

/** Counts one job of the page as drifted, shown as LinkedIn shows it, undecided or in sync. */
function compare(
  output: CheckDriftPageOutput,
  page: PageDecisions,
  job: JobToCheck,
  status: LinkedInJobStatus,
  noted: NotedDifference | undefined,
): void {
  output.problems.push(...problemsOf(status));
  if (job.status === 'OPEN' && status.onLinkedIn && status.listingStatus === 'LISTED') {
    output.listed = (output.listed ?? 0) + 1;
  }
  const kind = driftOf(job, status);
  if (kind === 'CHANGED') {
    const difference = changedDifference(job, status);
    if (noted !== undefined && noted.repairedAt !== null && sameDifference(noted, difference)) {
      output.linkedInShowsCount = (output.linkedInShowsCount ?? 0) + 1;
      if ((output.linkedInShows?.length ?? 0) < MAX_SHOWN_LISTED)
        output.linkedInShows?.push(linkedInShows(difference));
      return;
    }
    page.toNote.push(difference);
  }
  if (kind) output.drifted.push({ externalJobPostingId: job.externalJobPostingId, kind });
  else if (job.status === 'OPEN' && status.listingStatus !== 'LISTED') output.undecided++;
  else {
    output.inSync++;
    if (noted) page.toForget.push(job.externalJobPostingId);
  }
}
