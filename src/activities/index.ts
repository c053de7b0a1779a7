import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AtsJob, DeveloperApplication, JobStore } from '../ats/job-store';
import type { JobResult } from '../contract';
import { FailureType } from '../failures';
import type { LinkedInClient, ElementResult } from '../linkedin/client';
import { closeElement, jobElement, type JobPostingElement } from '../linkedin/elements';
import { LinkedInApiError } from '../linkedin/linkedin-api-error';
import { LinkedInCredentialsError } from '../linkedin/linkedin-credentials-error';
import type { TokenCache } from '../linkedin/token-cache';
import { isPermanentRefusal, toActivityFailure } from './failures';

export interface ActivityDeps {
  jobStore: JobStore;
  linkedin: LinkedInClient;
  tokens: TokenCache;
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
}

export interface PostBatchOutput {
  results: JobResult[];
}

/** Activities are built from their dependencies; only `worker.ts` wires the real ones. */
export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;

  async function application(urn: string): Promise<DeveloperApplication> {
    const found = await deps.jobStore.getApplication(urn);
    if (!found) {
      throw ApplicationFailure.nonRetryable(`the ATS does not know ${urn}`, FailureType.UnknownApplication);
    }
    return found;
  }

  /** One batch_create call with the application's shared token; a refused token is renewed once. */
  async function send(
    app: DeveloperApplication,
    elements: JobPostingElement[],
    signal: AbortSignal,
  ): Promise<ElementResult[]> {
    const token = await tokenFor(app, signal);
    try {
      return await deps.linkedin.postJobs(token, elements, signal);
    } catch (error) {
      if (!(error instanceof LinkedInApiError) || error.status !== 401) throw error;
      await deps.tokens.invalidate(app, token);
      return deps.linkedin.postJobs(await tokenFor(app, signal), elements, signal);
    }
  }

  async function tokenFor(app: DeveloperApplication, signal: AbortSignal): Promise<string> {
    try {
      return await deps.tokens.get(app, signal);
    } catch (error) {
      if (
        error instanceof LinkedInApiError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 429
      ) {
        throw new LinkedInCredentialsError(
          error.status,
          `LinkedIn refused the credentials of ${app.urn}: ${error.message}`,
          error.serviceErrorCode,
          undefined,
        );
      }
      throw error;
    }
  }

  return {
    /** A page of the application's open job ids, in id order, for syncAllOpenJobs. */
    async listOpenJobIds(input: ListOpenJobIdsInput): Promise<string[]> {
      await application(input.developerApplicationUrn);
      return deps.jobStore.listOpenJobIds(input.developerApplicationUrn, {
        after: input.after,
        limit: input.limit,
      });
    },

    /**
     * Re-posts one batch (≤ 100 ids): open jobs with UPDATE, jobs closed in the ATS with CLOSE (the ATS is
     * the truth), one operation type per call and calls one after another. Bodies are loaded here, so the
     * workflow's history holds ids and outcomes only.
     */
    async postBatch(input: PostBatchInput): Promise<PostBatchOutput> {
      const { cancellationSignal } = Context.current();
      const app = await application(input.developerApplicationUrn);
      const jobs = new Map<string, AtsJob>();
      for (const job of await deps.jobStore.loadJobs(app.urn, input.externalJobPostingIds)) {
        jobs.set(job.externalJobPostingId, job);
      }

      const results = new Map<string, JobResult>();
      const updates: JobPostingElement[] = [];
      const closes: JobPostingElement[] = [];
      for (const id of input.externalJobPostingIds) {
        const job = jobs.get(id);
        if (!job) {
          results.set(id, { externalJobPostingId: id, fate: 'NOT_IN_ATS' });
        } else if (job.status === 'CLOSED') {
          closes.push(closeElement(job, app));
        } else {
          const mapped = jobElement(job, app, 'UPDATE', now());
          if ('problem' in mapped)
            results.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason: mapped.problem });
          else updates.push(mapped.element);
        }
      }

      try {
        for (const elements of [updates, closes]) {
          if (elements.length === 0) continue;
          let answers: ElementResult[];
          try {
            answers = await send(app, elements, cancellationSignal);
          } catch (error) {
            if (!isPermanentRefusal(error)) throw error;
            for (const element of elements) {
              const reason =
                error instanceof LinkedInCredentialsError
                  ? error.message
                  : `LinkedIn refused the call (${error.status}): ${error.message}`;
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
            const closing = element.jobPostingOperationType === 'CLOSE';
            if (answer.ok) {
              results.set(id, {
                externalJobPostingId: id,
                fate: closing ? 'CLOSED' : 'UPDATED',
                taskUrn: answer.taskUrn,
              });
            } else if (closing && answer.status === 409) {
              // Already closed or absent on LinkedIn: the ATS's truth already holds.
              results.set(id, { externalJobPostingId: id, fate: 'CLOSED' });
            } else if (answer.status === 429 || answer.status >= 500) {
              throw new LinkedInApiError(
                answer.status,
                `element ${id}: ${answer.message}`,
                undefined,
                undefined,
              );
            } else {
              results.set(id, {
                externalJobPostingId: id,
                fate: 'REJECTED',
                reason: `LinkedIn rejected the job (${answer.status}): ${answer.message}`,
              });
            }
          });
        }
      } catch (error) {
        throw toActivityFailure(error);
      }
      return {
        results: input.externalJobPostingIds.map(
          (id) =>
            results.get(id) ?? { externalJobPostingId: id, fate: 'REJECTED', reason: 'no answer recorded' },
        ),
      };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
