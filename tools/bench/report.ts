/** The printed tables and their legend. */
import type { SizeResult } from './figures';

const MB = 1024 * 1024;

type Column = [title: string, cell: (result: SizeResult) => string];

/** The figures asked for, one row per size. */
export const MAIN_COLUMNS: Column[] = [
  ['jobs', (r) => r.jobs.toLocaleString('en-US')],
  ['ok', (r) => (r.error ? 'ERROR' : r.ok ? 'yes' : 'NO')],
  ['latency ms', (r) => int(r.latencyMs)],
  ['floor s', (r) => seconds(r.floor?.floorMs)],
  ['last UPDATE s', (r) => seconds(r.timing?.toLastUpdateMs)],
  ['× floor', (r) => fixed(r.floor?.ratio, 2)],
  ['done s', (r) => seconds(r.timing?.toCompletionMs)],
  ['jobs/s', (r) => fixed(r.timing?.jobsPerSecondToLastUpdate, 0)],
  ['calls', (r) => int(r.linkedin?.postingCalls)],
  ['max/call', (r) => int(r.linkedin?.maxElementsPerCall)],
  ['CAN', (r) => int(r.workflow?.continuedAsNew)],
  ['runs', (r) => int(r.workflow?.runs.length)],
  ['max run ev', (r) => int(r.workflow?.largestRunEvents)],
  ['max run KB', (r) => kb(r.workflow?.largestRunBytes)],
  ['max result KB', (r) => kb(r.workflow?.largestActivityResultBytes)],
  ['ev/1k jobs', (r) => fixed(r.workflow?.eventsPer1kJobs, 0)],
  ['KB/1k jobs', (r) => kb(r.workflow?.bytesPer1kJobs)],
  ['children', (r) => int(r.followUps?.children)],
  ['idle RSS MB', (r) => mb(r.worker?.idle.rss)],
  ['peak RSS MB', (r) => mb(r.worker?.resyncPeakRss)],
  ['peak heap MB', (r) => mb(r.worker?.sampledMax.heapUsed)],
];

/** Where the time and memory go. */
export const DETAIL_COLUMNS: Column[] = [
  ['jobs', (r) => r.jobs.toLocaleString('en-US')],
  ['seed s', (r) => seconds(r.timing?.seedMs)],
  ['call ms', (r) => fixed(r.linkedin?.medianCallMs, 0)],
  ['gap ms', (r) => fixed(r.linkedin?.medianGapMs, 0)],
  ['cycle ms', (r) => fixed(r.workflow?.batchCycle.cycleMs, 0)],
  ['post queue ms', (r) => fixed(r.workflow?.batchCycle.postScheduleToStartMs, 0)],
  ['post run ms', (r) => fixed(r.workflow?.batchCycle.postStartToCloseMs, 0)],
  ['child start ms', (r) => fixed(r.workflow?.batchCycle.childStartMs, 0)],
  ['WFT queue ms', (r) => fixed(r.workflow?.batchCycle.workflowTaskScheduleToStartMs, 0)],
  ['WFT run ms', (r) => fixed(r.workflow?.batchCycle.workflowTaskStartToCloseMs, 0)],
  ['WFT/batch', (r) => fixed(r.workflow?.batchCycle.workflowTasksPerBatch, 1)],
  ['total ev', (r) => int(r.workflow?.totalEvents)],
  ['total KB', (r) => kb(r.workflow?.totalBytes)],
  ['child ev/1k', (r) => fixed(r.followUps?.eventsPer1kJobs, 0)],
  ['child KB/1k', (r) => kb(r.followUps?.bytesPer1kJobs)],
  ['PGlite MB', (r) => mb(r.worker && r.worker.storeOpened.rss - r.worker.atStart.rss)],
  ['worker CPU s', (r) => seconds(r.worker?.cpuMs)],
  ['loop p99 ms', (r) => fixed(r.worker?.eventLoopDelayMs.p99, 0)],
  ['server CPU s', (r) => seconds(r.cpu?.temporalServerMs)],
  ['bench CPU s', (r) => seconds(r.cpu?.benchProcessMs)],
];

export function renderTable(columns: Column[], results: SizeResult[]): string {
  const rows = [columns.map(([title]) => title), ...results.map((r) => columns.map(([, cell]) => cell(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

const dash = '–';
const int = (value: number | undefined) => (value === undefined ? dash : value.toLocaleString('en-US'));
const fixed = (value: number | null | undefined, digits: number) =>
  value === undefined || value === null
    ? dash
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? dash : fixed(ms / 1000, 1);
const kb = (bytes: number | undefined) => (bytes === undefined ? dash : fixed(bytes / 1024, 0));
const mb = (bytes: number | undefined) => (bytes === undefined ? dash : fixed(bytes / MB, 0));

export const LEGEND = [
  'latency ms: how long the sandbox takes to answer a posting; floor s: posting calls × latency, the least',
  "LinkedIn's one-call-at-a-time rule allows; × floor: last UPDATE s / floor s;",
  'last UPDATE s: from the start to the answer of the last UPDATE call LinkedIn saw; done s: to the workflow result;',
  'jobs/s: jobs / last UPDATE s; calls: simpleJobPostings calls; max/call: most elements in one call;',
  'CAN: continue-as-new count; runs, ev, KB: the resync chain, history protobuf-encoded; /1k: per 1,000 jobs;',
  'max result KB: the largest activity result in the chain (a postBatches run of per-batch results);',
  'children: follow-up workflows (not in the chain totals; see child ev/KB per 1,000 jobs);',
  'idle RSS: worker after seeding, workers polling, after GC (PGlite: what the open store adds to it);',
  'peak RSS: kernel VmHWM during the resync (reset when idle); peak heap: heapUsed sampled every 250 ms;',
  'call ms: median time LinkedIn took to answer a posting; gap ms: median from one answer to the next call;',
  'cycle ms: median from one posting activity (postBatch, or postBatches: a run of batches) scheduled to the',
  'next; post queue/run: its schedule-to-start and',
  'start-to-close; child start: startChild to ChildWorkflowExecutionStarted; WFT: workflow tasks (medians);',
  'CPU (user + system) during the resync: worker process, Temporal dev server, this process (sandbox, client);',
  "loop p99: the worker's event-loop delay, 99th percentile, during the resync",
].join('\n');
