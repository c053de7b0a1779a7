import { Context } from '@temporalio/activity';
import type { PostedBatch } from '../../contract/posted-batch';
import { batchesAnsweredSignal, type AnswerSignalling, type BatchesAnswered } from '../../contract/signals';

/** How long one signal may take before its batches are left to the run's report. */
const SIGNAL_TIMEOUT_MS = 10_000;

/**
 * Tells the workflow, while a run goes on, which of its batches LinkedIn answered: a signal for each group
 * of batches (at most the follower's group, its bytes and its wait), so each group's follower starts
 * within seconds of its answers, not when the whole run reports. The batches signalled leave the run's
 * result (`delivered`); a signal that fails leaves them in it. A retried attempt may signal a batch again:
 * the workflow records each batch once, by its number.
 */
export class AnswerSignals {
  /** Batches of the run, from its first, whose signal Temporal took. */
  delivered = 0;
  /** Batches answered and not signalled yet begin at this index. */
  private pendingFrom = 0;
  private readonly pending: PostedBatch[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly signalling: AnswerSignalling,
    from: number,
  ) {
    this.delivered = from;
    this.pendingFrom = from;
  }

  /** Batch `index` of the run was answered. */
  add(index: number, posted: PostedBatch): void {
    const bytes = JSON.stringify(posted).length + 1;
    if (this.pending.length > 0 && this.pendingBytes + bytes > this.signalling.maxBytes) this.flush();
    if (this.pending.length === 0) {
      this.pendingFrom = index;
      this.timer = setTimeout(() => this.flush(), this.signalling.maxWaitMs);
    }
    this.pending.push(posted);
    this.pendingBytes += bytes;
    if (this.pending.length >= this.signalling.maxBatches) this.flush();
  }

  /** Waits for the signals under way; what was not signalled stays for the result. */
  async settle(): Promise<void> {
    clearTimeout(this.timer);
    await this.sending;
  }

  private flush(): void {
    clearTimeout(this.timer);
    if (this.pending.length === 0) return;
    const answered: BatchesAnswered = {
      run: this.signalling.run,
      from: this.pendingFrom,
      batches: this.pending.splice(0),
    };
    this.pendingBytes = 0;
    const execution = Context.current().info.workflowExecution;
    if (!execution) return;
    const { workflowId, runId } = execution;
    const next = answered.from + answered.batches.length;
    // One at a time and in order: `delivered` stays a prefix of the run.
    this.sending = this.sending.then(async () => {
      if (this.delivered < answered.from) return;
      try {
        // Bounded: a signal Temporal does not take in time leaves its batches to the run's report.
        const { client } = Context.current();
        await client.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
          client.workflow.getHandle(workflowId, runId).signal(batchesAnsweredSignal, answered),
        );
        this.delivered = Math.max(this.delivered, next);
      } catch (error) {
        Context.current().log.warn('answers not signalled; the run reports them', { error: String(error) });
      }
    });
  }
}
