/** What one size's figures are held against: LinkedIn's sequential floor and a healthy resync's shape. */
import type { ResyncResult } from '../../src/contract';
import type { SizeResult } from './figures';

/**
 * LinkedIn takes one application's calls one after another, so no resync beats calls × answer time: the
 * time to the last UPDATE is measured against it.
 */
export function floorOf(
  calls: number,
  latencyMs: number,
  toLastUpdateMs: number | null,
): NonNullable<SizeResult['floor']> {
  const floorMs = calls * latencyMs;
  return { floorMs, ratio: floorMs > 0 && toLastUpdateMs !== null ? toLastUpdateMs / floorMs : null };
}

/** What a healthy resync of N open jobs, all held by LinkedIn, looks like; anything else is named. */
export function problemsOf(result: SizeResult, resync: ResyncResult): string[] {
  const problems: string[] = [];
  const n = result.jobs;
  const batches = Math.ceil(n / 100);
  if (resync.outcome !== 'SUCCEEDED') problems.push(`outcome ${resync.outcome}`);
  if (resync.totals.updated !== n) problems.push(`updated ${resync.totals.updated} of ${n}`);
  if (resync.totals.confirmed !== n) problems.push(`confirmed ${resync.totals.confirmed} of ${n}`);
  const linkedin = result.linkedin;
  if (linkedin) {
    if (linkedin.maxElementsPerCall > 100)
      problems.push(`a call carried ${linkedin.maxElementsPerCall} elements`);
    if (linkedin.maxConcurrentPostings > 1)
      problems.push(`${linkedin.maxConcurrentPostings} postings at once`);
    if (linkedin.postingCalls !== batches)
      problems.push(`${linkedin.postingCalls} posting calls for ${batches} batches`);
    if (linkedin.distinctJobsPosted !== n)
      problems.push(`${linkedin.distinctJobsPosted} distinct jobs posted`);
  }
  const followUps = result.followUps;
  if (followUps && followUps.completed !== followUps.children) {
    problems.push(`${followUps.children - followUps.completed} follow-ups did not complete`);
  }
  return problems;
}
