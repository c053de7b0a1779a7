import { Context } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS } from './deps';

/**
 * Runs `work` while heartbeating: `details(false)` now and every HEARTBEAT_EVERY_MS (the SDK passes them on
 * at most that often anyway), and `beat` for the work to heartbeat at once. When the work fails, the last
 * details (`details(true)`) go to Temporal with the failure, so the next attempt, or the workflow reading
 * the failure, knows what LinkedIn answered. The one heartbeat loop of every long activity.
 */
export async function whileHeartbeating<T>(
  details: (final: boolean) => unknown,
  work: (beat: () => void) => Promise<T>,
): Promise<T> {
  const context = Context.current();
  const beat = () => context.heartbeat(details(false));
  beat();
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  try {
    return await work(beat);
  } catch (error) {
    context.heartbeat(details(true));
    throw error;
  } finally {
    clearInterval(timer);
  }
}
