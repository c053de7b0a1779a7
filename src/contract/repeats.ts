/**
 * How often one notification is carried out again (docs/endpoints.md, "Repeats"). The signature covers
 * the body alone, and LinkedIn's resync notifications carry no id or time: the same body may come back
 * legitimately (LinkedIn still sees a mismatch) or be replayed by whoever saw it. So within a window of
 * REPEAT_WINDOW_MS from its first round, a notification is carried out in full at most
 * MAX_ROUNDS_PER_WINDOW times (once, and once again); later repeats within the window are answered 200
 * and start nothing. A round that missed its deadline was not carried out in full: a repeat after it is
 * always redone. LinkedIn's own redeliveries while a round is sending join it, as before.
 */
export const REPEAT_WINDOW_MS = 60 * 60_000;
export const MAX_ROUNDS_PER_WINDOW = 2;

/** The rounds of one notification within its current window; carried by the workflow and its memo. */
export interface RoundWindow {
  /** Epoch ms: the receipt that opened the window. */
  windowSince: number;
  /** Rounds started within the window, this one included. */
  rounds: number;
}

/** The memo key under which a resync carries its RoundWindow (the API reads it once the resync closed). */
export const ROUND_WINDOW_MEMO = 'roundWindow';

/** The window of a notification's first round, received at `at`. */
export function firstRound(at: number): RoundWindow {
  return { windowSince: at, rounds: 1 };
}

/**
 * The window of the round a delivery at `at` would start after the rounds `done`, or undefined when the
 * notification was carried out MAX_ROUNDS_PER_WINDOW times within the window already.
 */
export function nextRound(
  done: RoundWindow,
  at: number,
  windowMs = REPEAT_WINDOW_MS,
): RoundWindow | undefined {
  if (at - done.windowSince >= windowMs) return firstRound(at);
  if (done.rounds >= MAX_ROUNDS_PER_WINDOW) return undefined;
  return { windowSince: done.windowSince, rounds: done.rounds + 1 };
}

/** A RoundWindow read from a memo or an input written by any release; undefined when it is not one. */
export function roundWindowOf(value: unknown): RoundWindow | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { windowSince, rounds } = value as Partial<RoundWindow>;
  if (typeof windowSince !== 'number' || typeof rounds !== 'number') return undefined;
  return { windowSince, rounds };
}
