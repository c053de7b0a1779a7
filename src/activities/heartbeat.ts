import { Context } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS } from './deps';

/**
 * Runs `work` while heartbeating: `details(false)` every HEARTBEAT_EVERY_MS (the SDK passes them on at most
 * that often anyway), and `beat` for the work to heartbeat at once. When the work fails, the last details
 * (`details(true)`) go to Temporal with the failure, so the next attempt, or the workflow reading the
 * failure, knows what LinkedIn answered. The one heartbeat loop of every long activity.
 *
 * The first beat comes a HEARTBEAT_EVERY_MS in, not at the start: at the start nothing is answered yet (a
 * retry's details from the attempt before stay with Temporal until a beat replaces them), a cancellation
 * reaches the activity at its next beat either way, and an activity done within the second (most runs and
 * follow-ups of a few hundred jobs) then costs Temporal no heartbeat at all, each a write of its state.
 */
export async function whileHeartbeating<T>(
  details: (final: boolean) => unknown,
  work: (beat: () => void) => Promise<T>,
  firstBeatMs = HEARTBEAT_EVERY_MS,
): Promise<T> {
  const context = Context.current();
  const beat = () => context.heartbeat(details(false));
  const tick = () => {
    beat();
    timer = setTimeout(tick, HEARTBEAT_EVERY_MS);
  };
  let timer = setTimeout(tick, firstBeatMs);
  try {
    return await work(beat);
  } catch (error) {
    context.heartbeat(details(true));
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
