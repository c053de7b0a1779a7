/**
 * Durations measured in tests come from two clocks (ours and the sandbox's) and from timers that may fire a
 * little early or, on a loaded machine, late. A lower bound on a measured duration therefore allows this
 * much: the behaviour asserted (a wait happened, a backoff grew) still fails when the wait is missing,
 * while a busy 2-core CI machine never lands within 50 ms of the bound.
 */
export const TIMER_SLACK_MS = 250;

/** The smallest duration that still shows a wait of `nominalMs` happened. */
export function atLeast(nominalMs: number): number {
  return nominalMs - TIMER_SLACK_MS;
}
