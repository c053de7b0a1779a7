import type { DeveloperApplication } from '../contract/ats-job';
import { taskQueryChunks, type LinkedInClient, type TaskState } from './client';
import type { TokenCache } from './token-cache';

export interface TaskPollerOptions {
  linkedin: Pick<LinkedInClient, 'getTasks'>;
  tokens: Pick<TokenCache, 'withToken'>;
  /** First wait between polls; doubles while nothing changes, back to this when something ends. */
  intervalMs: number;
  maxIntervalMs: number;
}

export interface FollowOptions {
  /** Stop following at this epoch ms; tasks still running are returned IN_PROGRESS. */
  until: number;
  signal: AbortSignal;
  /** Called whenever some of the followed tasks end (for heartbeats). */
  onProgress?: (ended: ReadonlyMap<string, TaskState>) => void;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'PROCESSED']);

interface Waiter {
  urns: Set<string>;
  ended: Map<string, TaskState>;
  options: FollowOptions;
  resolve: (states: Map<string, TaskState>) => void;
  reject: (error: unknown) => void;
}

/**
 * Follows LinkedIn tasks for every activity of the worker process: all task urns pending for one
 * application are packed into as few ≤ 4 KB queries as possible, whatever activity they came from, so a
 * 100,000-job resync costs LinkedIn a poll per ~55 tasks, not one per batch. A failed poll fails the
 * waiting activities, and Temporal's retry policy decides what happens next.
 */
export class TaskPoller {
  private readonly lanes = new Map<
    string,
    { app: DeveloperApplication; waiters: Set<Waiter>; running: boolean }
  >();

  constructor(private readonly options: TaskPollerOptions) {}

  follow(
    app: DeveloperApplication,
    taskUrns: readonly string[],
    options: FollowOptions,
  ): Promise<Map<string, TaskState>> {
    if (taskUrns.length === 0) return Promise.resolve(new Map<string, TaskState>());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { urns: new Set(taskUrns), ended: new Map(), options, resolve, reject };
      let lane = this.lanes.get(app.urn);
      if (!lane) {
        lane = { app, waiters: new Set(), running: false };
        this.lanes.set(app.urn, lane);
      }
      lane.waiters.add(waiter);
      const onAbort = () => this.settle(lane, waiter, options.signal.reason);
      options.signal.addEventListener('abort', onAbort, { once: true });
      if (options.signal.aborted) onAbort();
      if (!lane.running) void this.poll(lane);
    });
  }

  private settle(lane: { waiters: Set<Waiter> }, waiter: Waiter, error?: unknown): void {
    if (!lane.waiters.delete(waiter)) return;
    if (error !== undefined) {
      waiter.reject(error);
      return;
    }
    const states = new Map(waiter.ended);
    for (const urn of waiter.urns) {
      if (!states.has(urn)) {
        states.set(urn, {
          status: 'IN_PROGRESS',
          externalJobPostingId: undefined,
          jobPosting: undefined,
          errorMessage: undefined,
        });
      }
    }
    waiter.resolve(states);
  }

  private async poll(lane: {
    app: DeveloperApplication;
    waiters: Set<Waiter>;
    running: boolean;
  }): Promise<void> {
    lane.running = true;
    let interval = this.options.intervalMs;
    try {
      while (lane.waiters.size > 0) {
        await this.waitTurn(lane, interval);
        if (lane.waiters.size === 0) break;
        const pending = new Set<string>();
        for (const waiter of lane.waiters) {
          for (const urn of waiter.urns) if (!waiter.ended.has(urn)) pending.add(urn);
        }
        let changed = false;
        try {
          for (const chunk of taskQueryChunks([...pending])) {
            const states = await this.getTasks(lane.app, chunk);
            for (const [urn, state] of states) {
              if (!TERMINAL.has(state.status)) continue;
              for (const waiter of lane.waiters) {
                if (waiter.urns.has(urn) && !waiter.ended.has(urn)) {
                  waiter.ended.set(urn, state);
                  changed = true;
                }
              }
            }
          }
        } catch (error) {
          for (const waiter of [...lane.waiters]) this.settle(lane, waiter, error);
          break;
        }
        const now = Date.now();
        for (const waiter of [...lane.waiters]) {
          if (changed) waiter.options.onProgress?.(waiter.ended);
          if (waiter.ended.size === waiter.urns.size || now >= waiter.options.until)
            this.settle(lane, waiter);
        }
        interval = changed ? this.options.intervalMs : Math.min(interval * 2, this.options.maxIntervalMs);
      }
    } finally {
      lane.running = false;
      if (lane.waiters.size > 0) void this.poll(lane);
      else this.lanes.delete(lane.app.urn);
    }
  }

  /** Sleeps the interval, but not past the earliest follow-up window end. */
  private async waitTurn(lane: { waiters: Set<Waiter> }, interval: number): Promise<void> {
    const earliestEnd = Math.min(...[...lane.waiters].map((waiter) => waiter.options.until));
    const ms = Math.max(0, Math.min(interval, earliestEnd - Date.now()));
    await new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  private getTasks(app: DeveloperApplication, urns: string[]): Promise<Map<string, TaskState>> {
    return this.options.tokens.withToken(app, (token) => this.options.linkedin.getTasks(token, urns));
  }
}
