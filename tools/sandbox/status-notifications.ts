/**
 * LinkedIn's Job Status Change notifications as the sandbox sends them: JOB_POSTING_STATUS bodies POSTed to
 * the webhook, signed like the Job Resync ones, delivered again while the webhook does not answer 200.
 */
import { signNotification } from '../../src/api/signature';

export interface DeliveredNotification {
  seq: number;
  body: string;
  /** The webhook's answer to the last attempt; 0 when it could not be reached. */
  status: number;
  attempts: number;
}

const REDELIVERIES = 3;

/** Where notifications go (`notifyTo`), what was sent so far, and the deliveries still under way. */
export class StatusNotifier {
  private target: { url: string; secret: string } | undefined;
  private delivered: DeliveredNotification[] = [];
  private seq = 0;
  private readonly deliveries = new Set<Promise<void>>();
  private stopped = false;

  /** Sends every notification to `url`, signed with `secret`, from now on; undefined stops. */
  notifyTo(target: { url: string; secret: string } | undefined): void {
    this.target = target;
  }

  /**
   * A JOB_POSTING_STATUS notification for a change LinkedIn made, when a webhook is set (`body` is built
   * only then); any answer but 200 is delivered again (up to 3 more times).
   */
  send(body: () => string): void {
    const target = this.target;
    if (target === undefined) return;
    const record: DeliveredNotification = { seq: ++this.seq, body: body(), status: 0, attempts: 0 };
    this.delivered.push(record);
    const delivery = this.deliver(target, record).finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  notifications(): DeliveredNotification[] {
    return this.delivered.map((delivery) => ({ ...delivery }));
  }

  /** Forgets the notifications sent so far; the webhook target stays. */
  clear(): void {
    this.delivered = [];
  }

  /** No delivery is attempted again (the sandbox is closing). */
  stop(): void {
    this.stopped = true;
  }

  private async deliver(
    target: { url: string; secret: string },
    record: DeliveredNotification,
  ): Promise<void> {
    for (let attempt = 0; attempt <= REDELIVERIES && !this.stopped; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt).unref());
      record.attempts++;
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-LI-Signature': signNotification(target.secret, record.body),
          },
          body: record.body,
          signal: AbortSignal.timeout(10_000),
        });
        record.status = response.status;
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        record.status = 0;
      }
    }
  }
}
