import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AtsJob, DeveloperApplication, JobStore } from '../ats/job-store';
import type { JobResult, ResyncOutcome } from '../contract';
import { FailureType } from '../failures';
import type { ApplicationLanes } from '../linkedin/application-lanes';
import type { ElementResult, LinkedInClient, TaskState } from '../linkedin/client';
import { closeElement, jobElement, type JobPostingElement } from '../linkedin/elements';
import { LinkedInApiError } from '../linkedin/linkedin-api-error';
import { LinkedInCredentialsError } from '../linkedin/linkedin-credentials-error';
import type { TaskPoller } from '../linkedin/task-poller';
import type { TokenCache } from '../linkedin/token-cache';
import { isPermanentRefusal, toActivityFailure } from './failures';

export interface ActivityDeps {
  jobStore: JobStore;
  linkedin: LinkedInClient;
  tokens: TokenCache;
  lanes: ApplicationLanes;
  taskPoller: TaskPoller;
  now?: () => number;
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
   * renewed once.
   */
  async function send(
    app: DeveloperApplication,
    elements: JobPostingElement[],
    notAfter: number,
    cancellation: AbortSignal,
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

  /**
   * A CLOSE call. LinkedIn answers a whole call 409 when a job in it is already closed or absent there
   * (linkedin.md §5): for one job that is its answer; for several, each goes alone to learn which.
   */
  async function sendCloses(
    app: DeveloperApplication,
    elements: JobPostingElement[],
    notAfter: number,
    cancellation: AbortSignal,
  ): Promise<ElementResult[]> {
    try {
      return await send(app, elements, notAfter, cancellation);
    } catch (error) {
      if (!(error instanceof LinkedInApiError) || error instanceof LinkedInCredentialsError) throw error;
      if (error.status !== 409) throw error;
      if (elements.length === 1) return [{ ok: false, status: 409, message: error.message }];
      const answers: ElementResult[] = [];
      for (const element of elements) {
        answers.push(...(await sendCloses(app, [element], notAfter, cancellation)));
      }
      return answers;
    }
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
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const output = await postBatch(input, context.cancellationSignal);
        countOutcomes(context, output.results);
        context.log.info('batch posted', {
          operation: input.operation,
          jobs: input.externalJobPostingIds.length,
          accepted: output.results.filter((result) => result.taskUrn !== undefined).length,
          rejected: output.results.filter((result) => result.fate === 'REJECTED').length,
        });
        return output;
      } catch (error) {
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
      const record = (ended: ReadonlyMap<string, TaskState>) => {
        for (const [taskUrn, state] of ended) {
          done.set(taskUrn, {
            taskUrn,
            status: state.status,
            ...(state.errorMessage === undefined ? {} : { errorMessage: state.errorMessage }),
          });
        }
      };
      const heartbeat = setInterval(() => context.heartbeat([...done.values()]), HEARTBEAT_EVERY_MS);
      try {
        const remaining = input.taskUrns.filter((urn) => !done.has(urn));
        const states = await deps.taskPoller.follow(app, remaining, {
          until: input.until,
          signal: context.cancellationSignal,
          onProgress: record,
        });
        record(states);
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

  async function postBatch(input: PostBatchInput, cancellation: AbortSignal): Promise<PostBatchOutput> {
    const app = await application(input.developerApplicationUrn);
    const jobs = new Map<string, AtsJob>();
    for (const job of await deps.jobStore.loadJobs(app.urn, input.externalJobPostingIds)) {
      jobs.set(job.externalJobPostingId, job);
    }

    const results = new Map<string, JobResult>();
    const sends: JobPostingElement[] = [];
    const closes: JobPostingElement[] = [];
    for (const id of input.externalJobPostingIds) {
      const job = jobs.get(id);
      if (!job) {
        results.set(id, {
          externalJobPostingId: id,
          fate: 'NOT_IN_ATS',
          reason: 'the ATS holds no job with this id',
        });
      } else if (job.status === 'CLOSED') {
        closes.push(closeElement(job, app));
      } else {
        const mapped = jobElement(job, app, input.operation, now());
        if ('problem' in mapped)
          results.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason: mapped.problem });
        else sends.push(mapped.element);
      }
    }

    for (const elements of [sends, closes]) {
      if (elements.length === 0) continue;
      let answers: ElementResult[];
      try {
        answers =
          elements === closes
            ? await sendCloses(app, elements, input.notAfter, cancellation)
            : await send(app, elements, input.notAfter, cancellation);
      } catch (error) {
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
        const fate = operation === 'CLOSE' ? 'CLOSED' : operation === 'CREATE' ? 'CREATED' : 'UPDATED';
        if (answer.ok) {
          results.set(id, {
            externalJobPostingId: id,
            fate,
            confirmation: 'PENDING',
            taskUrn: answer.taskUrn,
          });
        } else if (operation === 'CLOSE' && answer.status === 409) {
          // Already closed or absent on LinkedIn: the ATS's truth already holds there.
          results.set(id, { externalJobPostingId: id, fate: 'CLOSED', confirmation: 'CONFIRMED' });
        } else if (answer.status === 429 || answer.status >= 500) {
          // A transient refusal of one element: the whole batch is retried (UPDATE is idempotent).
          throw new LinkedInApiError(answer.status, `element ${id}: ${answer.message}`, undefined, undefined);
        } else {
          results.set(id, {
            externalJobPostingId: id,
            fate: 'REJECTED',
            reason: `LinkedIn rejected the job (${answer.status}): ${answer.message}`,
          });
        }
      });
    }
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
