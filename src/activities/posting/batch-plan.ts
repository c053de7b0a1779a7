/**
 * The pure part of posting a batch, apart from any I/O: the ATS's jobs become the calls to make, and
 * LinkedIn's answers become each job's result. Tested without Temporal or LinkedIn (test/unit).
 */
import type { DeveloperApplication, AtsJob } from '../../ats/job-store';
import type { JobResult } from '../../contract';
import {
  elementAction,
  elementFailure,
  isPermanentRefusal,
  tookNothing,
  type FailureReading,
} from '../../linkedin/answers';
import type { ElementResult } from '../../linkedin/client';
import { closeElement, jobElement, type JobPostingElement } from '../../linkedin/elements';
import { LinkedInCredentialsError } from '../../linkedin/linkedin-credentials-error';
import type { BatchProgress } from './batch-progress';

/** One simpleJobPostings call of a batch: one operation type per call. */
export interface PlannedCall {
  elements: JobPostingElement[];
  /** CREATEs: from the moment the call leaves until its answer is read, LinkedIn may hold its jobs. */
  createsJobs: boolean;
  /**
   * UPDATEs of jobs whose CREATE went unanswered: an UPDATE finds out (its task fails if LinkedIn lacks
   * the job). Refused for now, they stay unanswered.
   */
  probes: boolean;
}

/**
 * The calls for a batch, in the order they go: probes, then the jobs with the batch's operation, then the
 * jobs closed in the ATS with CLOSE (the ATS is the truth). Jobs answered by an earlier attempt are not
 * sent again; jobs the ATS does not hold or cannot send get their result in `progress.answered` at once.
 */
export function planBatch(
  batch: { externalJobPostingIds: readonly string[]; operation: 'UPDATE' | 'CREATE' },
  jobs: readonly AtsJob[],
  app: DeveloperApplication,
  progress: BatchProgress,
  now: number,
): PlannedCall[] {
  const byId = new Map(jobs.map((job) => [job.externalJobPostingId, job]));
  const probes: JobPostingElement[] = [];
  const sends: JobPostingElement[] = [];
  const closes: JobPostingElement[] = [];
  for (const id of batch.externalJobPostingIds) {
    if (progress.answered.has(id)) continue;
    const job = byId.get(id);
    if (!job) {
      progress.answered.set(id, {
        externalJobPostingId: id,
        fate: 'NOT_IN_ATS',
        reason: 'the ATS holds no job with this id',
      });
      continue;
    }
    const probe = job.status === 'OPEN' && progress.unanswered.has(id);
    const mapped =
      job.status === 'CLOSED'
        ? closeElement(job, app, now)
        : jobElement(job, app, probe ? 'UPDATE' : batch.operation, now);
    if ('problem' in mapped) {
      progress.answered.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason: mapped.problem });
    } else (job.status === 'CLOSED' ? closes : probe ? probes : sends).push(mapped.element);
  }
  const calls: PlannedCall[] = [
    { elements: probes, createsJobs: false, probes: true },
    { elements: sends, createsJobs: batch.operation === 'CREATE', probes: false },
    { elements: closes, createsJobs: false, probes: false },
  ];
  return calls.filter((call) => call.elements.length > 0);
}

const FATE = { CLOSE: 'CLOSED', CREATE: 'CREATED', UPDATE: 'UPDATED' } as const;

/**
 * How often one element is sent while LinkedIn refuses it for now (429 or 5xx inside the 200): then it
 * carries LinkedIn's last answer and the rest goes on. LinkedIn's Java SDK tries a call 3 times too.
 */
export const MAX_ELEMENT_TRIES = 3;

/**
 * Records LinkedIn's answer to each element of a call (see `ANSWER_RULES`). Returns the failure of the
 * first element LinkedIn refused for now (429/5xx inside the 200), to be retried alone once the rest is sent.
 */
export function applyAnswers(
  call: PlannedCall,
  answers: readonly ElementResult[],
  progress: BatchProgress,
): FailureReading | undefined {
  let refusedForNow: FailureReading | undefined;
  call.elements.forEach((element, index) => {
    const answer = answers[index];
    if (!answer) return;
    const id = element.externalJobPostingId;
    const operation = element.jobPostingOperationType;
    const action = elementAction(operation, answer);
    // An element refused inside the 200 got no task: LinkedIn will not apply it.
    if (!call.probes || action !== 'resend-element') progress.unanswered.delete(id);
    const fate = FATE[operation];
    if (answer.ok) {
      progress.answered.set(id, {
        externalJobPostingId: id,
        fate,
        confirmation: 'PENDING',
        taskUrn: answer.taskUrn,
      });
    } else if (action === 'already-done') {
      // Already closed or absent (CLOSE), or already there (CREATE): the ATS's truth holds on LinkedIn.
      progress.answered.set(id, { externalJobPostingId: id, fate, confirmation: 'CONFIRMED' });
    } else if (action === 'resend-element') {
      const tries = (progress.tries.get(id) ?? 0) + 1;
      progress.tries.set(id, tries);
      if (tries < MAX_ELEMENT_TRIES) refusedForNow ??= elementFailure(id, answer);
      else {
        const reason = `LinkedIn refused the job ${tries} times for now; its last answer (${answer.status}): ${answer.message}`;
        progress.answered.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason });
      }
    } else {
      const reason = `LinkedIn rejected the job (${answer.status}): ${answer.message}`;
      progress.answered.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason });
    }
  });
  return refusedForNow;
}

/**
 * A call LinkedIn refused as a whole. Its CREATEs were not taken if LinkedIn refused them outright; a
 * permanent refusal is every job's answer (true); anything else is for Temporal to retry (false).
 */
export function refuseCall(call: PlannedCall, error: unknown, progress: BatchProgress): boolean {
  if (call.createsJobs && tookNothing(error)) {
    for (const element of call.elements) progress.unanswered.delete(element.externalJobPostingId);
  }
  if (!isPermanentRefusal(error)) return false;
  const reason =
    error instanceof LinkedInCredentialsError
      ? error.message
      : `LinkedIn refused the call (${error.status}): ${error.message}`;
  for (const { externalJobPostingId } of call.elements) {
    progress.answered.set(externalJobPostingId, { externalJobPostingId, fate: 'REJECTED', reason });
  }
  return true;
}

/** Every job of the batch with its result; one LinkedIn never answered for is REJECTED. */
export function batchResults(ids: readonly string[], answered: ReadonlyMap<string, JobResult>): JobResult[] {
  return ids.map(
    (id) =>
      answered.get(id) ?? {
        externalJobPostingId: id,
        fate: 'REJECTED',
        reason: 'LinkedIn gave no answer for it',
      },
  );
}
