import type { ResyncCarry } from '../contract';
import { fitting } from '../contract/payload-budget';

/**
 * Reads one page of the application's open job ids, strictly after `after`, in id order: at most `limit`,
 * and whether more follow.
 */
export type ListOpenJobIds = (
  after: string | undefined,
  limit: number,
) => Promise<{ ids: string[]; more: boolean }>;

export type JobSourceCarry = Pick<ResyncCarry, 'nextIndex' | 'after' | 'listingDone' | 'listed'>;

/**
 * Where a resync's jobs come from, batch by batch: the ids LinkedIn named, or (syncAllOpenJobs) the ATS's
 * open jobs, listed a page at a time. Plain state, no Temporal: the workflow hands it the listing activity.
 */
export class JobSource {
  /** Open job ids listed from the ATS and not sent yet (sync-all). */
  private listed: string[] = [];
  private nextIndex: number;
  private after: string | undefined;
  private listingDone: boolean;
  /** The page after the listed ids, read while they are sent (see `listAhead`). */
  private ahead: Promise<{ ids: string[]; more: boolean }> | undefined;

  constructor(
    private readonly request: { syncAllOpenJobs: boolean; externalJobPostingIds: readonly string[] },
    carry: JobSourceCarry,
    private readonly batchSize: number,
    private readonly pageSize: number,
  ) {
    this.nextIndex = carry.nextIndex;
    this.after = carry.after;
    this.listingDone = carry.listingDone;
    this.listed = carry.listed ?? [];
  }

  static fresh(syncAllOpenJobs: boolean): JobSourceCarry {
    return { nextIndex: 0, after: undefined, listingDone: !syncAllOpenJobs };
  }

  /** The next batch to send (listing a page first when none is left), or undefined once exhausted. */
  async next(list: ListOpenJobIds): Promise<string[] | undefined> {
    if (!this.request.syncAllOpenJobs) {
      const ids = this.request.externalJobPostingIds.slice(this.nextIndex, this.nextIndex + this.batchSize);
      return ids.length > 0 ? ids : undefined;
    }
    if (this.listed.length === 0 && !this.listingDone) {
      const page = await (this.ahead ?? list(this.after, this.pageSize));
      this.ahead = undefined;
      this.listed = page.ids;
      if (!page.more) this.listingDone = true;
    }
    return this.listed.length > 0 ? this.listed.slice(0, this.batchSize) : undefined;
  }

  /**
   * The batches to send one after another, as `plan` cuts them from the ids known and not sent (listing a
   * page first when none is left).
   */
  async nextRun<T>(list: ListOpenJobIds, plan: (pending: readonly string[]) => T): Promise<T | undefined> {
    const first = await this.next(list);
    if (!first) return undefined;
    const pending = this.request.syncAllOpenJobs
      ? this.listed
      : this.request.externalJobPostingIds.slice(this.nextIndex);
    return plan(pending);
  }

  /** `ids` (a start of `listed`) cut to whole batches, unless they are all of it. */
  private wholeBatches(ids: string[]): string[] {
    if (ids.length === this.listed.length || ids.length < this.batchSize) return ids;
    return ids.slice(0, ids.length - (ids.length % this.batchSize));
  }

  /**
   * Starts reading the page after the ids listed (sync-all), so the run after the one being sent need not
   * wait for it. Listing is no LinkedIn call; a page read ahead and not used is simply listed again.
   */
  listAhead(list: ListOpenJobIds): void {
    const last = this.listed[this.listed.length - 1];
    if (!this.request.syncAllOpenJobs || this.listingDone || this.ahead || last === undefined) return;
    this.ahead = list(last, this.pageSize);
    // Awaited by the next `next`; a cancellation at the deadline must not surface as unhandled.
    this.ahead.catch(() => undefined);
  }

  /** `batch` (the last `next`, or the next of the last `nextRun`) was sent. */
  advance(batch: readonly string[]): void {
    if (this.request.syncAllOpenJobs) {
      this.listed = this.listed.slice(batch.length);
      this.after = batch[batch.length - 1];
    } else {
      this.nextIndex += batch.length;
    }
  }

  exhausted(): boolean {
    return this.request.syncAllOpenJobs
      ? this.allListed()
      : this.nextIndex >= this.request.externalJobPostingIds.length;
  }

  /** Every job to send is known: the listing ended and nothing listed waits (always, for named ids). */
  allListed(): boolean {
    return this.listingDone && this.listed.length === 0;
  }

  /** Jobs known and not sent yet. */
  remaining(): string[] {
    return this.request.syncAllOpenJobs
      ? [...this.listed]
      : this.request.externalJobPostingIds.slice(this.nextIndex);
  }

  /** Where the open jobs never listed begin, while the listing has not ended; undefined once it has. */
  unlisted(): { after: string | undefined } | undefined {
    if (!this.request.syncAllOpenJobs || this.listingDone) return undefined;
    return { after: this.listed.length > 0 ? this.listed[this.listed.length - 1] : this.after };
  }

  /** The source as the next run rebuilds it: ids listed but not sent are listed again. */
  carry(): JobSourceCarry {
    return { nextIndex: this.nextIndex, after: this.after, listingDone: this.allListed() };
  }

  /**
   * The source as the next run rebuilds it, ids listed but not sent carried over: the page read ahead is
   * awaited (it was read while this run sent) and joins them, so the next run begins with a call.
   */
  async carryListed(maxBytes: number): Promise<JobSourceCarry> {
    if (this.ahead) {
      const page = await this.ahead;
      this.ahead = undefined;
      this.listed = [...this.listed, ...page.ids];
      if (!page.more) this.listingDone = true;
    }
    if (!this.request.syncAllOpenJobs || this.listed.length === 0) return this.carry();
    // Within its bytes, the start of what was listed, in whole batches; the rest is listed again after it.
    const listed = this.wholeBatches(fitting(this.listed, maxBytes));
    const listingDone = this.listingDone && listed.length === this.listed.length;
    return { ...this.carry(), listingDone, listed };
  }
}
