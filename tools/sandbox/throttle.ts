/**
 * LinkedIn's posting limit per application: "premium posting 2,000 records/minute" (linkedin.md §7), and
 * "throttled calls get 429". The sandbox reads it as a sliding window: a posting call is accepted while the
 * records (elements) of the application's accepted calls in the last `windowMs` plus its own stay within
 * `records`; otherwise it is answered 429 with `Retry-After`, the whole seconds until enough of them have
 * left the window. A throttled call counts nothing.
 */
export interface ThrottleRule {
  /** Records (job elements) an application may post within a window: 2,000 for LinkedIn's premium posting. */
  records: number;
  /** The window, in ms: a minute for LinkedIn's published figure. */
  windowMs: number;
}

export type ThrottleVerdict = { accepted: true } | { accepted: false; retryAfterSeconds: number };

export class RecordThrottle {
  /** Per application, the accepted calls in the window: when and how many records, oldest first. */
  private readonly accepted = new Map<string, Array<{ at: number; records: number }>>();

  constructor(readonly rule: ThrottleRule) {
    if (!Number.isSafeInteger(rule.records) || rule.records < 1)
      throw new RangeError(`throttle records must be a positive integer, got ${rule.records}`);
    if (!(rule.windowMs >= 1000))
      throw new RangeError(`throttle window must be at least 1000 ms, got ${rule.windowMs}`);
  }

  /** Whether a call of `records` elements at `now` is accepted; counted when it is. */
  admit(application: string, records: number, now: number): ThrottleVerdict {
    const calls = (this.accepted.get(application) ?? []).filter((call) => call.at > now - this.rule.windowMs);
    this.accepted.set(application, calls);
    let inWindow = calls.reduce((sum, call) => sum + call.records, 0);
    if (inWindow + records <= this.rule.records) {
      calls.push({ at: now, records });
      return { accepted: true };
    }
    // The first moment enough records have left the window (a call larger than the limit waits it all out).
    let freeAt = now + this.rule.windowMs;
    for (const call of calls) {
      inWindow -= call.records;
      if (inWindow + records <= this.rule.records) {
        freeAt = call.at + this.rule.windowMs;
        break;
      }
    }
    return { accepted: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
  }
}
