import {
  firstRound,
  MAX_ROUNDS_PER_WINDOW,
  nextRound,
  REPEAT_WINDOW_MS,
  roundWindowOf,
} from '../../src/contract/repeats';

describe('how often one notification is carried out again', () => {
  const t0 = Date.UTC(2026, 11, 6, 9);

  test('once, and once again within the window; not a third time', () => {
    expect(MAX_ROUNDS_PER_WINDOW).toBe(2);
    const second = nextRound(firstRound(t0), t0 + 1_000);
    expect(second).toEqual({ windowSince: t0, rounds: 2 });
    expect(second && nextRound(second, t0 + REPEAT_WINDOW_MS - 1)).toBeUndefined();
  });

  test('a repeat once the window passed opens a new window', () => {
    const second = { windowSince: t0, rounds: 2 };
    expect(nextRound(second, t0 + REPEAT_WINDOW_MS)).toEqual(firstRound(t0 + REPEAT_WINDOW_MS));
  });

  test('reads a window from a memo or input, and nothing else', () => {
    expect(roundWindowOf({ windowSince: t0, rounds: 2 })).toEqual({ windowSince: t0, rounds: 2 });
    expect(roundWindowOf(undefined)).toBeUndefined();
    expect(roundWindowOf({ windowSince: String(t0), rounds: 2 })).toBeUndefined();
    expect(roundWindowOf('x')).toBeUndefined();
  });
});
