import { z } from 'zod';
import { JobResult } from '../../contract';

/**
 * What one attempt of postBatch leaves to the next, as heartbeat details: the jobs LinkedIn answered for
 * (never sent again, so a retry repeats only the calls and elements that failed) and the CREATEs whose
 * answer never came (LinkedIn may hold them: the retry asks with UPDATE instead of creating them twice).
 */
const Progress = z.object({
  /** The attempt that wrote it. */
  attempt: z.number().int(),
  /** Written as that attempt ended with an error, so `unanswered` is complete; periodic beats are not. */
  final: z.boolean(),
  answered: z.array(JobResult),
  unanswered: z.array(z.string()),
  /** How often LinkedIn refused each job still refused for now (absent in details of earlier releases). */
  tries: z.array(z.tuple([z.string(), z.number().int()])).optional(),
});
type Progress = z.infer<typeof Progress>;

export class BatchProgress {
  /** Jobs with a definite outcome: LinkedIn's answer, or the ATS's (not there, cannot be sent). */
  readonly answered = new Map<string, JobResult>();
  /** Jobs whose CREATE may have reached LinkedIn without its answer reaching us. */
  readonly unanswered = new Set<string>();
  /** Jobs LinkedIn refused for now (429 or 5xx inside the 200), and how often so far. */
  readonly tries = new Map<string, number>();

  private constructor(private readonly attempt: number) {}

  /**
   * Picks up where earlier attempts stopped. Answers recorded by any attempt are facts. Which CREATEs went
   * unanswered is known only from the details the previous attempt wrote as it failed; after a crash or a
   * heartbeat timeout they may be stale, and then every CREATE not answered may have been sent.
   */
  static resume(
    info: { attempt: number; heartbeatDetails: unknown },
    operation: 'UPDATE' | 'CREATE',
    ids: readonly string[],
  ): BatchProgress {
    const progress = new BatchProgress(info.attempt);
    const prior = Progress.safeParse(info.heartbeatDetails);
    if (prior.success) {
      for (const result of prior.data.answered)
        progress.answered.set(result.externalJobPostingId, toResult(result));
      for (const [id, tries] of prior.data.tries ?? []) progress.tries.set(id, tries);
    }
    if (operation !== 'CREATE' || info.attempt <= 1) return progress;
    const complete = prior.success && prior.data.final && prior.data.attempt === info.attempt - 1;
    const unanswered = complete ? prior.data.unanswered : ids;
    for (const id of unanswered) if (!progress.answered.has(id)) progress.unanswered.add(id);
    return progress;
  }

  /** The heartbeat details; `final` when the attempt is about to fail. */
  details(final: boolean): Progress {
    return {
      attempt: this.attempt,
      final,
      answered: [...this.answered.values()],
      unanswered: [...this.unanswered],
      tries: [...this.tries],
    };
  }
}

function toResult(result: Progress['answered'][number]): JobResult {
  const { confirmation, taskUrn, reason, ...rest } = result;
  return {
    ...rest,
    ...(confirmation === undefined ? {} : { confirmation }),
    ...(taskUrn === undefined ? {} : { taskUrn }),
    ...(reason === undefined ? {} : { reason }),
  };
}
