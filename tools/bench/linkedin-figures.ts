/** What LinkedIn's side (the sandbox's record) saw of one size's resync. */
import type { LinkedInSandbox } from '../sandbox/linkedin-sandbox';
import type { SizeResult } from './figures';
import { percentile } from './measure';

export function updateTimes(
  sandbox: LinkedInSandbox,
  urn: string,
  receivedAt: number,
  jobs: number,
): {
  toFirstUpdateMs: number | null;
  toLastUpdateMs: number | null;
  jobsPerSecondToLastUpdate: number | null;
} {
  const updates = sandbox
    .calls()
    .filter((call) => call.endpoint === 'simpleJobPostings' && call.developerApplicationUrn === urn)
    .filter((call) => operationsOf(call.elements).has('UPDATE'));
  if (updates.length === 0)
    return { toFirstUpdateMs: null, toLastUpdateMs: null, jobsPerSecondToLastUpdate: null };
  const answered = updates.map((call) => (call.endedAt || call.startedAt) - receivedAt);
  const last = Math.max(...answered);
  return {
    toFirstUpdateMs: Math.min(...answered),
    toLastUpdateMs: last,
    jobsPerSecondToLastUpdate: last > 0 ? (jobs * 1000) / last : null,
  };
}

function operationsOf(elements: unknown[] | undefined): Set<string> {
  const operations = new Set<string>();
  for (const element of elements ?? []) {
    const operation = (element as { jobPostingOperationType?: unknown }).jobPostingOperationType;
    if (typeof operation === 'string') operations.add(operation);
  }
  return operations;
}

export function linkedInFigures(sandbox: LinkedInSandbox, urn: string): NonNullable<SizeResult['linkedin']> {
  // The application's calls only, not the warm-up resync's.
  const calls = sandbox.calls().filter((call) => call.developerApplicationUrn === urn);
  const postings = calls.filter((call) => call.endpoint === 'simpleJobPostings');
  const posted = sandbox.postedElements(urn);
  const gaps = postings.slice(1).map((call, i) => call.startedAt - (postings[i]?.endedAt ?? call.startedAt));
  return {
    postingCalls: postings.length,
    updateCalls: postings.filter((call) => operationsOf(call.elements).has('UPDATE')).length,
    otherOperationCalls: postings.filter((call) =>
      [...operationsOf(call.elements)].some((op) => op !== 'UPDATE'),
    ).length,
    failedPostingCalls: postings.filter((call) => call.status < 200 || call.status >= 300).length,
    maxElementsPerCall: Math.max(0, ...postings.map((call) => call.elements?.length ?? 0)),
    elementsPosted: posted.length,
    distinctJobsPosted: new Set(posted.map((element) => element.externalJobPostingId)).size,
    maxConcurrentPostings: sandbox.maxConcurrentPostings(urn),
    medianCallMs: percentile(
      postings.map((call) => call.endedAt - call.startedAt),
      0.5,
    ),
    medianGapMs: percentile(gaps, 0.5),
    p95GapMs: percentile(gaps, 0.95),
    longestGapsMs: [...gaps].sort((a, b) => b - a).slice(0, 12),
    gapsTotalMs: gaps.reduce((sum, gap) => sum + gap, 0),
    taskStatusCalls: calls.filter((call) => call.endpoint === 'simpleJobPostingTasks').length,
    tokenCalls: calls.filter((call) => call.endpoint === 'token').length,
  };
}
