/** `watch`: a progress bar until the resync closes, then its outcome and totals. */
import type { Client } from '@temporalio/client';
import type { ResyncTotals } from '../contract';
import type { ResyncProgress } from '../contract/signals';
import { CLOSED_STATUSES, getResyncStatus, MAX_WORKFLOW_ID_LENGTH, type ResyncStatus } from '../api/resyncs';
import { echo } from '../echo';
import { parse, UsageError, type Output } from './args';

/**
 * Polls the resync about every `intervalMs` and draws a progress bar: rewritten in place on a terminal,
 * one line per change otherwise. Ends with the outcome and totals, or the failure. Exit code 0 when the
 * resync completed (SUCCEEDED or PARTIAL), 1 otherwise.
 */
export async function watchResync(
  workflowId: string,
  deps: { client: Client; out: Output; sleep: (ms: number) => Promise<void>; intervalMs: number },
): Promise<number> {
  let shown: string | undefined;
  const show = (line: string) => {
    if (line === shown) return;
    shown = line;
    deps.out.write(deps.out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  for (;;) {
    const status = await getResyncStatus(deps.client, workflowId, { page: 1, pageSize: 0 });
    if (!status) {
      deps.out.write(`no resync with workflow id ${echo(workflowId)}\n`);
      return 1;
    }
    const closed = CLOSED_STATUSES.has(status.status);
    if (status.progress || closed) show(progressLine(status.progress));
    if (closed) {
      if (deps.out.isTTY) deps.out.write('\n');
      deps.out.write(finalLines(status));
      return status.status === 'COMPLETED' ? 0 : 1;
    }
    await deps.sleep(deps.intervalMs);
  }
}

/** One line: a bar of settled jobs, then sent / confirmed / rejected / pending of the total. */
export function progressLine(progress: ResyncProgress | null, width = 30): string {
  if (!progress) return '(no progress: the resync did not answer its progress query)';
  const rejected = progress.rejected + progress.notInAts;
  const counts = [
    `${progress.sent} sent`,
    `${progress.confirmed} confirmed`,
    `${rejected} rejected${progress.notInAts > 0 ? ` (${progress.notInAts} not in ATS)` : ''}`,
  ];
  if (progress.total === null || progress.pending === null) {
    return `[${'?'.repeat(width)}] listing open jobs… ${counts.join(' · ')}`;
  }
  const done = progress.total - progress.pending;
  const filled = progress.total === 0 ? width : Math.round((done / progress.total) * width);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  return `[${bar}] ${done}/${progress.total} · ${counts.join(' · ')} · ${progress.pending} pending`;
}

function finalLines(status: ResyncStatus): string {
  const lines = [`${status.workflowId}: ${status.status}${status.outcome ? ` ${status.outcome}` : ''}`];
  if (status.result) lines.push(`  ${totalsText(status.result.totals)}`);
  if (status.failure) {
    lines.push(`  failure ${status.failure.type}: ${status.failure.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function totalsText(totals: ResyncTotals): string {
  return [
    `${totals.sent} of ${totals.requested} sent (${totals.updated} updated, ${totals.created} created, ${totals.closed} closed)`,
    `${totals.confirmed} confirmed`,
    `${totals.unconfirmed} unconfirmed`,
    `${totals.rejected} rejected`,
    `${totals.notInAts} not in ATS`,
    `${totals.missedDeadline} missed the deadline`,
    ...((totals.outcomeUnknown ?? 0) > 0 ? [`${totals.outcomeUnknown} outcome unknown`] : []),
  ].join(' · ');
}

export function parseWatchArgs(args: readonly string[]): string {
  const { positionals } = parse(args, {}, true);
  const [workflowId, ...extra] = positionals;
  if (!workflowId || extra.length > 0) throw new UsageError('watch takes one workflow id');
  if (workflowId.length > MAX_WORKFLOW_ID_LENGTH) {
    throw new UsageError(
      `a workflow id is at most ${MAX_WORKFLOW_ID_LENGTH} characters, not ${workflowId.length}`,
    );
  }
  return workflowId;
}
