import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AtsJob, DeveloperApplication, JobStore } from '../ats/job-store';
import type { JobStatusStore } from '../ats/job-status-store';
import type { JobResult, ResyncOutcome } from '../contract';
import { FailureType } from '../failures';
import type { ApplicationLanes } from '../linkedin/application-lanes';
import type { ElementResult, LinkedInClient, TaskState } from '../linkedin/client';
import { closeElement, jobElement, type JobPostingElement } from '../linkedin/elements';
import { LinkedInApiError } from '../linkedin/linkedin-api-error';
import { LinkedInCredentialsError } from '../linkedin/linkedin-credentials-error';
import type { TaskPoller } from '../linkedin/task-poller';
import type { TokenCache } from '../linkedin/token-cache';
import { alreadyOnLinkedIn } from '../linkedin/answers';
import { BatchProgress } from './batch-progress';
import { isPermanentRefusal, sendNarrowing, toActivityFailure } from './failures';

export interface ActivityDeps {
  jobStore: JobStore;
  linkedin: LinkedInClient;
  tokens: TokenCache;
  lanes: ApplicationLanes;
  taskPoller: TaskPoller;
  now?: () => number;
  /** linkedin_job_status, for the drift check and status notifications (see drift.ts). */
  jobStatuses?: JobStatusStore | undefined;
}

export interface ListOpenJobIdsInput {
  developerApplicationUrn: string;
  after?: string | undefined;
  limit: number;
}

export interface PostBatchInput {
  developerApplicationUrn: string;
  externalJobPostingIds: string[];
  /** UPDATE for a resync; CREATE for jobs LinkedIn turned out not to have. Closed jobs always go as CLOSE. */
  operation: 'UPDATE' | 'CREATE';
  /** The resync's deadline (epoch ms): no LinkedIn call starts at or after it. */
  notAfter: number;
}

export interface PostBatchOutput {
  results: JobResult[];
}

export interface FollowTasksInput {
  developerApplicationUrn: string;
  taskUrns: string[];
  /** Epoch ms: tasks still running then are reported IN_PROGRESS. */
  until: number;
  /** Return as soon as a task ends FAILED (an UPDATE's job may need a CREATE before the deadline). */
  returnOnFailure?: boolean;
}

export interface FollowedTask {
  taskUrn: string;
  status: TaskState['status'];
  errorMessage?: string;
}

export interface RemainingOpenJobsInput {
  developerApplicationUrn: string;
  after: string | undefined;
  sampleSize: number;
}

/** How often a long activity tells Temporal it is alive (and learns whether it was cancelled). */
const HEARTBEAT_EVERY_MS = 1_000;

/** Activities are built from their dependencies; only the composition roots wire the real ones. */
export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;

  async function application(urn: string): Promise<DeveloperApplication> {
    const found = await deps.jobStore.getApplication(urn);
    if (!found) {
      throw ApplicationFailure.nonRetryable(`the ATS does not know ${urn}`, FailureType.UnknownApplication);
    }
    return found;
  }

  /**
   * One batch_create call in the application's lane, never at or after the deadline; a refused token is
   * renewed once. `onCall` runs right before each request leaves.
   */
  async function send(
    app: DeveloperApplication,
    elements: JobPostingElement[],
    notAfter: number,
    cancellation: AbortSignal,
    onCall?: () => void,
  ): Promise<ElementResult[]> {
    const call = async () => {
      const post = async (token: string) => {
        const left = notAfter - now();
        if (left <= 0) {
          throw ApplicationFailure.nonRetryable(
            'the resync deadline passed before this call could start',
            FailureType.ResyncDeadlineExceeded,
          );
        }
        // An answer still outstanding at the deadline is abandoned with the call.
        const deadline = AbortSignal.timeout(left);
        onCall?.();
        try {
          return await deps.linkedin.postJobs(token, elements, AbortSignal.any([cancellation, deadline]));
        } catch (error) {
          if (deadline.aborted && !cancellation.aborted) {
            throw ApplicationFailure.nonRetryable(
              'the resync deadline passed while LinkedIn was answering; the call was abandoned',
              FailureType.ResyncDeadlineExceeded,
            );
          }
          throw error;
        }
      };
      const token = await deps.tokens.get(app, cancellation);
      try {
        return await post(token);
      } catch (error) {
        if (!(error instanceof LinkedInApiError) || error.status !== 401) throw error;
        await deps.tokens.invalidate(app, token);
        return post(await deps.tokens.get(app, cancellation));
      }
    };
    // Waiting for the lane counts against the deadline too.
    return deps.lanes.run(app.urn, cancellation, call, { maxWaitMs: notAfter - now() });
  }

  return {
    /** A page of the application's open job ids, in id order, for syncAllOpenJobs. */
    listOpenJobIds: async (input: ListOpenJobIdsInput): Promise<string[]> => {
      await application(input.developerApplicationUrn);
      return deps.jobStore.listOpenJobIds(input.developerApplicationUrn, {
        after: input.after,
        limit: input.limit,
      });
    },

    /** Counts how a resync ended, for the worker's /metrics (once per resync, unlike workflow code). */
    recordOutcome: (input: { developerApplicationUrn: string; outcome: ResyncOutcome }): Promise<void> => {
      const { metricMeter } = Context.current();
      metricMeter
        .createCounter('resyncs_completed', 'resyncs', 'Resyncs that ended, by outcome')
        .add(1, { outcome: input.outcome });
      if (input.outcome === 'DEADLINE_EXCEEDED') {
        metricMeter
          .createCounter(
            'resync_deadlines_missed',
            'resyncs',
            'Resyncs whose deadline passed before every job was sent',
          )
          .add(1);
      }
      return Promise.resolve();
    },

    /** After a missed deadline: how many open jobs were never listed, and the first of them. */
    remainingOpenJobs: async (
      input: RemainingOpenJobsInput,
    ): Promise<{ count: number; sample: string[] }> => {
      const sample: string[] = [];
      let count = 0;
      let after = input.after;
      for (;;) {
        const page = await deps.jobStore.listOpenJobIds(input.developerApplicationUrn, {
          after,
          limit: 1_000,
        });
        count += page.length;
        for (const id of page) if (sample.length < input.sampleSize) sample.push(id);
        if (page.length < 1_000) return { count, sample };
        after = page[page.length - 1];
        Context.current().heartbeat();
      }
    },

    /**
     * Re-posts one batch (≤ 100 ids): open jobs with the given operation, jobs closed in the ATS with
     * CLOSE (the ATS is the truth), one operation type per call and calls one after another. Bodies are
     * loaded here, so the workflow's history holds ids and outcomes only.
     */
    postBatch: async (input: PostBatchInput): Promise<PostBatchOutput> => {
      const context = Context.current();
      const progress = BatchProgress.resume(context.info, input.operation, input.externalJobPostingIds);
      const beat = () => context.heartbeat(progress.details(false));
      beat();
      const heartbeat = setInterval(beat, HEARTBEAT_EVERY_MS);
      try {
        const output = await postBatch(input, context.cancellationSignal, progress, beat);
        countOutcomes(context, output.results);
        context.log.info('batch posted', {
          operation: input.operation,
          jobs: input.externalJobPostingIds.length,
          accepted: output.results.filter((result) => result.taskUrn !== undefined).length,
          rejected: output.results.filter((result) => result.fate === 'REJECTED').length,
        });
        return output;
      } catch (error) {
        // The last details go to Temporal with the failure: the next attempt knows what LinkedIn answered.
        context.heartbeat(progress.details(true));
        throw toActivityFailure(error);
      } finally {
        clearInterval(heartbeat);
      }
    },

    /**
     * Follows LinkedIn's tasks until each ends (SUCCEEDED, FAILED, PROCESSED) or `until` passes. It
     * heartbeats what has ended, so a retry resumes instead of starting over.
     */
    followTasks: async (input: FollowTasksInput): Promise<FollowedTask[]> => {
      const context = Context.current();
      const app = await application(input.developerApplicationUrn);
      const done = new Map<string, FollowedTask>();
      const prior: unknown = context.info.heartbeatDetails;
      if (Array.isArray(prior)) for (const task of prior as FollowedTask[]) done.set(task.taskUrn, task);
      const early = new AbortController();
      const failed = () => [...done.values()].some((task) => task.status === 'FAILED');
      const record = (ended: ReadonlyMap<string, TaskState>) => {
        for (const [taskUrn, state] of ended) {
          done.set(taskUrn, {
            taskUrn,
            status: state.status,
            ...(state.errorMessage === undefined ? {} : { errorMessage: state.errorMessage }),
          });
        }
        if (input.returnOnFailure && failed()) early.abort();
      };
      const heartbeat = setInterval(() => context.heartbeat([...done.values()]), HEARTBEAT_EVERY_MS);
      try {
        const remaining = input.taskUrns.filter((urn) => !done.has(urn));
        if (!(input.returnOnFailure && failed())) {
          const states = await deps.taskPoller
            .follow(app, remaining, {
              until: input.until,
              signal: AbortSignal.any([context.cancellationSignal, early.signal]),
              onProgress: record,
            })
            .catch((error: unknown) => {
              // Stopped early on a failed task: what ended is in `done`.
              if (early.signal.aborted && !context.cancellationSignal.aborted)
                return new Map<string, TaskState>();
              throw error;
            });
          record(states);
        }
        const ended = [...done.values()].filter((task) => task.status !== 'IN_PROGRESS').length;
        context.log.info('tasks followed', { tasks: input.taskUrns.length, ended });
      } catch (error) {
        throw toActivityFailure(error);
      } finally {
        clearInterval(heartbeat);
      }
      return input.taskUrns.map((taskUrn) => done.get(taskUrn) ?? { taskUrn, status: 'IN_PROGRESS' });
    },
  };

  /**
   * Each call of the batch (the UPDATE or CREATE call, the CLOSE call) and each element is its own unit of
   * retry: what LinkedIn answered is kept in the heartbeat details, and a retried attempt sends only what
   * has no answer yet. Steps resumed within one activity rather than one activity a call: the workflow's
   * commands stay as they are (running resyncs replay), history does not grow with calls, and the same
   * record serves the elements LinkedIn refused for a while inside a 200.
   */
  async function postBatch(
    input: PostBatchInput,
    cancellation: AbortSignal,
    progress: BatchProgress,
    beat: () => void,
  ): Promise<PostBatchOutput> {
    const app = await application(input.developerApplicationUrn);
    const jobs = new Map<string, AtsJob>();
    for (const job of await deps.jobStore.loadJobs(app.urn, input.externalJobPostingIds)) {
      jobs.set(job.externalJobPostingId, job);
    }

    const results = progress.answered;
    /** CREATEs that may have landed without an answer: an UPDATE finds out (its task fails if not). */
    const probes: JobPostingElement[] = [];
    const sends: JobPostingElement[] = [];
    const closes: JobPostingElement[] = [];
    for (const id of input.externalJobPostingIds) {
      if (results.has(id)) continue;
      const job = jobs.get(id);
      if (!job) {
        results.set(id, {
          externalJobPostingId: id,
          fate: 'NOT_IN_ATS',
          reason: 'the ATS holds no job with this id',
        });
      } else if (job.status === 'CLOSED') {
        const mapped = closeElement(job, app, now());
        if ('problem' in mapped)
          results.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason: mapped.problem });
        else closes.push(mapped.element);
      } else {
        const probe = progress.unanswered.has(id);
        const mapped = jobElement(job, app, probe ? 'UPDATE' : input.operation, now());
        if ('problem' in mapped)
          results.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason: mapped.problem });
        else (probe ? probes : sends).push(mapped.element);
      }
    }

    /** An element LinkedIn refused for now (429/5xx inside the 200): retried alone once the rest is sent. */
    let refusedForNow: LinkedInApiError | undefined;
    for (const elements of [probes, sends, closes]) {
      if (elements.length === 0) continue;
      const creates = elements === sends && input.operation === 'CREATE';
      // From the moment a CREATE call leaves until its answer is read, LinkedIn may hold its jobs.
      const onCall = (part: JobPostingElement[]) =>
        creates
          ? () => {
              for (const element of part) progress.unanswered.add(element.externalJobPostingId);
              beat();
            }
          : undefined;
      let answers: ElementResult[];
      try {
        answers = await sendNarrowing(elements, (part) =>
          send(app, part, input.notAfter, cancellation, onCall(part)),
        );
      } catch (error) {
        // A whole-call 4xx (401 and 429 included) means LinkedIn did not take the CREATEs; a 5xx, a
        // timeout or a dropped connection leaves them unanswered.
        if (creates && error instanceof LinkedInApiError && error.status < 500) {
          for (const element of elements) progress.unanswered.delete(element.externalJobPostingId);
        }
        if (!isPermanentRefusal(error)) throw error;
        const reason =
          error instanceof LinkedInCredentialsError
            ? error.message
            : `LinkedIn refused the call (${error.status}): ${error.message}`;
        for (const element of elements) {
          results.set(element.externalJobPostingId, {
            externalJobPostingId: element.externalJobPostingId,
            fate: 'REJECTED',
            reason,
          });
        }
        continue;
      }
      elements.forEach((element, index) => {
        const answer = answers[index];
        const id = element.externalJobPostingId;
        if (!answer) return;
        const operation = element.jobPostingOperationType;
        // An element refused inside the 200 got no task: LinkedIn will not apply it.
        if (elements !== probes) progress.unanswered.delete(id);
        const fate = operation === 'CLOSE' ? 'CLOSED' : operation === 'CREATE' ? 'CREATED' : 'UPDATED';
        if (answer.ok) {
          progress.unanswered.delete(id);
          results.set(id, {
            externalJobPostingId: id,
            fate,
            confirmation: 'PENDING',
            taskUrn: answer.taskUrn,
          });
        } else if (alreadyOnLinkedIn(operation, answer)) {
          // Already closed or absent (CLOSE), or already there (CREATE): the ATS's truth holds on LinkedIn.
          results.set(id, { externalJobPostingId: id, fate, confirmation: 'CONFIRMED' });
        } else if (answer.status === 429 || answer.status >= 500) {
          refusedForNow ??= new LinkedInApiError(
            answer.status,
            `element ${id}: ${answer.message}`,
            undefined,
            undefined,
          );
        } else {
          progress.unanswered.delete(id);
          results.set(id, {
            externalJobPostingId: id,
            fate: 'REJECTED',
            reason: `LinkedIn rejected the job (${answer.status}): ${answer.message}`,
          });
        }
      });
    }
    if (refusedForNow) throw refusedForNow;
    return {
      results: input.externalJobPostingIds.map(
        (id) =>
          results.get(id) ?? {
            externalJobPostingId: id,
            fate: 'REJECTED',
            reason: 'LinkedIn gave no answer for it',
          },
      ),
    };
  }
}

export type Activities = ReturnType<typeof createActivities>;

/** Jobs sent and rejected, for the worker's /metrics (the SDK exports them with its own metrics). */
function countOutcomes(context: Context, results: readonly JobResult[]): void {
  const sent = context.metricMeter.createCounter(
    'resync_jobs_sent',
    'jobs',
    'Jobs LinkedIn accepted for processing',
  );
  const rejected = context.metricMeter.createCounter(
    'resync_jobs_rejected',
    'jobs',
    'Jobs LinkedIn or the ATS data refused',
  );
  const notInAts = context.metricMeter.createCounter(
    'resync_jobs_not_in_ats',
    'jobs',
    'Requested jobs the ATS does not hold',
  );
  for (const result of results) {
    if (result.fate === 'REJECTED') rejected.add(1);
    else if (result.fate === 'NOT_IN_ATS') notInAts.add(1);
    else sent.add(1, { operation: result.fate });
  }
}

export type { DriftActivities } from './drift';
