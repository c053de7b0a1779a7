import { firstRound, nextRound, roundWindowOf, type RoundWindow } from '../contract/repeats';
import type { ResyncInput } from '../contract';

/**
 * Whether a delivery after a round was carried out in full starts another round: always in histories
 * before PATCH.repeatsBounded; since, unless the notification was carried out MAX_ROUNDS_PER_WINDOW times
 * within its window already (contract/repeats.ts): then it is answered (200, by the API) and starts nothing.
 */
export class RoundRepeats {
  /** This notification's rounds within its window, this one included. */
  readonly window: RoundWindow;

  constructor(
    private readonly bounded: boolean,
    private readonly input: Pick<ResyncInput, 'roundWindow' | 'receivedAt' | 'repeatWindowMs'>,
  ) {
    this.window = roundWindowOf(input.roundWindow) ?? firstRound(input.receivedAt);
  }

  /** The window the round a delivery at `at` starts carries, or undefined when it is not redone. */
  next(at: number): RoundWindow | undefined {
    return this.bounded ? nextRound(this.window, at, this.input.repeatWindowMs) : this.window;
  }

  /** What a new round carries in its input and memo: its window, unless unbounded (none, as before). */
  carried(window: RoundWindow): RoundWindow | undefined {
    return this.bounded ? window : undefined;
  }
}
