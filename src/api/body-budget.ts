/**
 * The bytes of request bodies the API holds at once, over every connection: each request takes from it as
 * its body arrives and gives back when its handling ends. Many slow connections each sending part of a
 * body thus hold at most the budget between them, whatever HTTP_MAX_CONNECTIONS allows.
 */
export class BodyBudget {
  private held = 0;
  private highest = 0;

  constructor(readonly bytes: number) {
    if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(`a body budget of ${bytes} bytes`);
  }

  /** Bytes held now. */
  get inFlight(): number {
    return this.held;
  }

  /** The most bytes ever held at once. */
  get peak(): number {
    return this.highest;
  }

  /** Whether `bytes` more would still fit now. */
  fits(bytes: number): boolean {
    return this.held + bytes <= this.bytes;
  }

  /** A share for one request: it takes bytes as they arrive and returns them all with `release()`. */
  share(): BodyShare {
    let taken = 0;
    return {
      fits: (bytes) => this.fits(bytes),
      take: (bytes) => {
        if (!this.fits(bytes)) return false;
        taken += bytes;
        this.held += bytes;
        this.highest = Math.max(this.highest, this.held);
        return true;
      },
      release: () => {
        this.held -= taken;
        taken = 0;
      },
    };
  }
}

export interface BodyShare {
  /** Whether `bytes` more would fit in the budget now. */
  fits(bytes: number): boolean;
  /** Takes `bytes` from the budget; false (taking nothing) when they would not fit. */
  take(bytes: number): boolean;
  /** Gives back everything taken; once the request's handling ended. */
  release(): void;
}
