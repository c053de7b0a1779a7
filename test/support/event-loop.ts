import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How often the event loop is sampled; a sample's delay counts this interval too, which is taken off. */
const RESOLUTION_MS = 10;

/**
 * The longest the event loop was held (ms) while `work` ran, sampled every 10 ms with
 * `monitorEventLoopDelay`: what a `/healthz` probe arriving at the worst moment would have waited for.
 */
export async function longestBlock<T>(work: () => Promise<T>): Promise<{ result: T; blockedMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  try {
    const result = await work();
    // A block is recorded by the sample after it: let a few more be taken.
    await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
    return { result, blockedMs: Math.max(0, histogram.max / 1e6 - RESOLUTION_MS) };
  } finally {
    histogram.disable();
  }
}

/**
 * Measured blocks, printed after the file's tests when `PRINT_STALLS` is set (the figures docs/security.md
 * quotes): `PRINT_STALLS=1 npm run test:unit -- test/unit/logger.test.ts`.
 */
export function stallFigures(title: string): (label: string, blockedMs: number) => void {
  const rows: string[] = [];
  afterAll(() => {
    if (process.env.PRINT_STALLS) console.log(`${title}\n${rows.join('\n')}`);
  });
  return (label, blockedMs) => rows.push(`  ${label}: ${blockedMs.toFixed(1)} ms`);
}

/**
 * The least of up to three measurements (ms), stopping at the first under `limitMs`: a stall of the code
 * under test shows in every try, while the scheduling of a loaded 2-core machine or a garbage collection
 * seldom hits three in a row.
 */
export async function leastOfThree(
  limitMs: number,
  measure: () => number | Promise<number>,
): Promise<number> {
  let least = Infinity;
  for (let tries = 0; tries < 3 && least >= limitMs; tries++) least = Math.min(least, await measure());
  return least;
}
