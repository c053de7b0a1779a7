/** Gates: calls of an endpoint held unanswered until a test lets them go (`FaultKnobs.hold`). */
import type { FaultEndpoint } from './fault-rules';

/** Which calls a gate holds: after `passing` let through; only an application's; only those carrying a job. */
export interface HoldOptions {
  passing?: number;
  application?: string;
  /** Only calls whose elements include this job (a posting call). */
  carrying?: string;
}

/**
 * Calls held by `hold()`: `reached` resolves once a call is held; `releaseNext()` lets the oldest held call
 * go on, `release()` every call, now and later.
 */
export class Gate {
  private passing: number;
  private held = 0;
  private open = false;
  private readonly queue: Array<() => void> = [];
  private reach!: () => void;
  readonly reached = new Promise<void>((resolve) => (this.reach = resolve));

  constructor(
    readonly endpoint: FaultEndpoint,
    passing: number,
    readonly application?: string,
    readonly carrying?: string,
  ) {
    this.passing = passing;
  }

  /** How many calls were held so far, released or not. */
  get heldCalls(): number {
    return this.held;
  }

  /** How many calls are held now. */
  get waiting(): number {
    return this.queue.length;
  }

  releaseNext(): void {
    this.queue.shift()?.();
  }

  release(): void {
    this.open = true;
    for (const go of this.queue.splice(0)) go();
  }

  /** Lets the call through at once (false) or once released (true). */
  async pass(): Promise<boolean> {
    if (this.open) return false;
    if (this.passing > 0) {
      this.passing -= 1;
      return false;
    }
    this.held += 1;
    this.reach();
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return true;
  }
}
