/**
 * Polls an assertion until it holds or the bound passes: for what is eventually consistent (Temporal's
 * visibility) or happens in another process. Never a fixed sleep standing in for synchronisation.
 */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** `eventually` for a condition: fails naming `what` when it never holds within the bound. */
export function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs?: number,
): Promise<void> {
  return eventually(async () => {
    if (!(await check())) throw new Error(`timed out waiting until ${what}`);
  }, timeoutMs);
}
