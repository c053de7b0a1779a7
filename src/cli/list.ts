/** `list`: recent resyncs, newest first, as a table. */
import type { Client } from '@temporalio/client';
import { listResyncs, ResyncListParams } from '../api/resyncs';
import { parse, UsageError, type Output } from './args';

export async function listCommand(
  filter: ResyncListParams,
  deps: { client: Client; out: Output },
): Promise<number> {
  const resyncs = await listResyncs(deps.client, filter);
  if (resyncs.length === 0) {
    deps.out.write('no resyncs found\n');
    return 0;
  }
  const rows = resyncs.map((resync) => [
    shortTime(resync.startTime),
    resync.closeTime ? shortTime(resync.closeTime) : '-',
    resync.status,
    resync.outcome ?? '-',
    resync.application ?? '-',
    resync.workflowId,
  ]);
  deps.out.write(table(['STARTED', 'CLOSED', 'STATUS', 'OUTCOME', 'APPLICATION', 'WORKFLOW ID'], rows));
  return 0;
}

export function parseListArgs(args: readonly string[]): ResyncListParams {
  const { values } = parse(args, {
    application: { type: 'string' },
    outcome: { type: 'string' },
    limit: { type: 'string' },
  });
  const parsed = ResyncListParams.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}
