/**
 * `npm run resync -- drift <developerApplicationUrn>`: runs one drift check now (beside the application's
 * schedule), shows its progress, and exits 0 once it completed.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { DEVELOPER_APPLICATION_URN } from '../contract';
import {
  DRIFT_CHECK_WORKFLOW_TYPE,
  manualDriftCheckId,
  type DriftCheckInput,
  type DriftCheckProgress,
  type DriftCheckResult,
} from '../contract/drift';
import { CLOSED_STATUSES } from '../api/resyncs';
import { applicationPriority } from '../fairness';
import { driftProgressQuery } from '../contract/drift';
import { isDeveloperApplicationUrn } from '../contract/urn';
import { parse, UsageError } from './args';

export interface DriftNowDeps {
  client: Client;
  out: { write(text: string): unknown; isTTY?: boolean };
  sleep: (ms: number) => Promise<void>;
  intervalMs: number;
  taskQueue: string;
  namespace: string;
  deadlineMs: number;
  followUpWindowMs: number;
  workflowIdPrefix: string;
  webUiUrl: string;
  largeResyncJobs?: number;
}

const QUERY_TIMEOUT_MS = 3_000;

export async function driftNow(developerApplicationUrn: string, deps: DriftNowDeps): Promise<number> {
  const input: DriftCheckInput = {
    developerApplicationUrn,
    deadlineMs: deps.deadlineMs,
    followUpWindowMs: deps.followUpWindowMs,
    ...(deps.largeResyncJobs === undefined ? {} : { largeResyncJobs: deps.largeResyncJobs }),
  };
  const workflowId = manualDriftCheckId(developerApplicationUrn, Date.now(), deps.workflowIdPrefix);
  const handle = await deps.client.workflow.start(DRIFT_CHECK_WORKFLOW_TYPE, {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: developerApplicationUrn }],
    staticSummary: `Drift check of ${developerApplicationUrn} (run by hand)`,
    priority: applicationPriority(developerApplicationUrn),
  });
  deps.out.write(
    `drift check running: ${workflowId}\n  Web UI: ${deps.webUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}\n`,
  );
  let shown: string | undefined;
  for (;;) {
    const description = await handle.describe();
    const progress = await deps.client
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(driftProgressQuery))
      .catch(() => null);
    const line = progressLine(progress);
    if (line !== shown) {
      shown = line;
      deps.out.write(deps.out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    }
    if (CLOSED_STATUSES.has(description.status.name)) break;
    await deps.sleep(deps.intervalMs);
  }
  if (deps.out.isTTY) deps.out.write('\n');
  try {
    const result = (await handle.result()) as DriftCheckResult;
    deps.out.write(`${resultLines(result)}\n`);
    return 0;
  } catch (error) {
    const cause =
      error instanceof WorkflowFailedError ? (error.cause?.message ?? error.message) : String(error);
    deps.out.write(`${workflowId}: failed: ${cause}\n`);
    return 1;
  }
}

export function progressLine(progress: DriftCheckProgress | null): string {
  if (!progress) return '(no progress yet: is a worker running?)';
  const repair =
    progress.repairing > 0 ? ` · repairing ${progress.repairing} · ${progress.repaired} repaired` : '';
  return `${progress.checked} jobs checked · ${progress.drifted} drifted${repair}`;
}

function resultLines(result: DriftCheckResult): string {
  const lines = [
    result.summary,
    `  drifted: ${result.drifted.NOT_LISTED} not listed, ${result.drifted.CLOSED_BUT_LISTED} closed but listed, ${result.drifted.CHANGED} changed`,
    `  repaired: ${result.repaired.NOT_LISTED} not listed, ${result.repaired.CLOSED_BUT_LISTED} closed but listed, ${result.repaired.CHANGED} changed${result.notRepaired > 0 ? ` (${result.notRepaired} not repaired)` : ''}`,
  ];
  if (result.undecided > 0) lines.push(`  ${result.undecided} still being processed by LinkedIn`);
  // Results of checks begun before these fields lack them.
  if (result.comparisonDisagrees) {
    lines.push(
      `  ALARM: the comparison disagrees with LinkedIn on most of the ${result.listed} listed jobs; no CHANGED job was re-posted (docs/drift.md)`,
    );
  }
  if ((result.leftForNextCheck ?? 0) > 0)
    lines.push(`  ${result.leftForNextCheck} drifted jobs left for the next check`);
  for (const shown of (result.linkedInShows ?? []).slice(0, 10)) {
    lines.push(`  ${shown.externalJobPostingId}: ${shown.message}`);
  }
  if ((result.linkedInShowsCount ?? 0) > 10)
    lines.push(`  … ${result.linkedInShowsCount - 10} more LinkedIn shows in another form`);
  for (const id of result.repairWorkflowIds) lines.push(`  repair: ${id}`);
  for (const problem of result.problems.slice(0, 10)) {
    lines.push(
      `  ${problem.externalJobPostingId}: ${problem.field} ${problem.errorType}${problem.message ? `: ${problem.message}` : ''}`,
    );
  }
  if (result.problemCount > 10)
    lines.push(`  … ${result.problemCount - 10} more with a customer or partner error`);
  return lines.join('\n');
}

export function parseDriftArgs(args: readonly string[]): string {
  const { positionals } = parse(args, {}, true);
  const [urn, ...extra] = positionals;
  if (!urn || extra.length > 0) throw new UsageError('drift takes one developerApplicationUrn');
  if (!isDeveloperApplicationUrn(urn)) {
    throw new UsageError('drift: the application must look like urn:li:developerApplication:{numeric id}');
  }
  return urn;
}
