import type { JobResult } from '../contract';
import { MAX_JOB_DETAILS } from '../contract/names';

const SUCCESS = new Set(['UPDATED', 'CREATED', 'CLOSED']);
/** The bytes the listed jobs take at most in the resync's result and carry: 1,000 jobs of short ids fit. */
export const MAX_JOB_DETAILS_BYTES = 160 * 1024;

function sizeOf(result: JobResult): number {
  return JSON.stringify(result).length + 1;
}

function isException(result: JobResult): boolean {
  return !SUCCESS.has(result.fate) || result.confirmation === 'UNCONFIRMED';
}

/**
 * Per-job results a person can read, bounded so that a 100,000-job resync's state and result stay small:
 * every job up to MAX_JOB_DETAILS and MAX_JOB_DETAILS_BYTES (ids of 200 characters fill the bytes first);
 * past that, jobs that did not simply succeed push out ones that did.
 */
export class JobDetails {
  private readonly byId = new Map<string, JobResult>();
  /** Each listed job's `sizeOf`, taken once: a job's result is set two or three times in a resync. */
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(
    initial: readonly JobResult[],
    private leftOut: number,
  ) {
    for (const result of initial) this.put(result, sizeOf(result));
  }

  set(result: JobResult): void {
    const id = result.externalJobPostingId;
    const size = sizeOf(result);
    const currentSize = this.sizes.get(id);
    if (currentSize !== undefined) {
      // In place (its order kept), past the bounds too: a listed job's result only changes.
      this.bytes += size - currentSize;
      this.byId.set(id, result);
      this.sizes.set(id, size);
      return;
    }
    if (this.fits(size)) {
      this.put(result, size);
      return;
    }
    if (isException(result)) {
      for (const [otherId, other] of this.byId) {
        if (this.fits(size)) break;
        if (!isException(other)) {
          this.remove(otherId);
          this.leftOut++;
        }
      }
      if (this.fits(size)) {
        this.put(result, size);
        return;
      }
    }
    this.leftOut++;
  }

  private fits(size: number): boolean {
    return this.byId.size < MAX_JOB_DETAILS && this.bytes + size <= MAX_JOB_DETAILS_BYTES;
  }

  private put(result: JobResult, size: number): void {
    this.byId.set(result.externalJobPostingId, result);
    this.sizes.set(result.externalJobPostingId, size);
    this.bytes += size;
  }

  private remove(id: string): void {
    const size = this.sizes.get(id);
    if (size === undefined) return;
    this.byId.delete(id);
    this.sizes.delete(id);
    this.bytes -= size;
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
