import type { JobResult } from '../contract';
import { MAX_JOB_DETAILS } from '../contract/names';

const SUCCESS = new Set(['UPDATED', 'CREATED', 'CLOSED']);

function isException(result: JobResult): boolean {
  return !SUCCESS.has(result.fate) || result.confirmation === 'UNCONFIRMED';
}

/**
 * Per-job results a person can read, bounded so that a 100,000-job resync's state and result stay small:
 * every job up to MAX_JOB_DETAILS; past that, jobs that did not simply succeed push out ones that did.
 */
export class JobDetails {
  private readonly byId = new Map<string, JobResult>();

  constructor(
    initial: readonly JobResult[],
    private leftOut: number,
  ) {
    for (const result of initial) this.byId.set(result.externalJobPostingId, result);
  }

  set(result: JobResult): void {
    const id = result.externalJobPostingId;
    if (this.byId.has(id) || this.byId.size < MAX_JOB_DETAILS) {
      this.byId.set(id, result);
      return;
    }
    if (isException(result)) {
      for (const [otherId, other] of this.byId) {
        if (!isException(other)) {
          this.byId.delete(otherId);
          this.byId.set(id, result);
          this.leftOut++;
          return;
        }
      }
    }
    this.leftOut++;
  }

  /** Changes a listed job; a job no longer listed stays counted in the totals only. */
  patch(id: string, change: Partial<JobResult>): void {
    const current = this.byId.get(id);
    if (current) this.set({ ...current, ...change });
  }

  get(id: string): JobResult | undefined {
    return this.byId.get(id);
  }

  list(): JobResult[] {
    return [...this.byId.values()];
  }

  get omitted(): number {
    return this.leftOut;
  }
}
