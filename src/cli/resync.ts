/**
 * `npm run resync -- <command>`: the operator's command line. `send` plays LinkedIn (a signed notification,
 * redelivered on any answer but 200); `start`, `watch` and `list` talk to Temporal directly.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { describeNotificationError, JobResyncNotification, type ResyncTotals } from '../contract';
import { workflowIdFor } from '../api/workflow-id';
import { ConfigError, loadConfig } from '../config';
import { createTemporalClient } from '../temporal-client';
import type { ResyncProgress } from '../workflows/signals';
import { createResyncStarter } from '../api/resync-starter';
import {
  CLOSED_STATUSES,
  getResyncStatus,
  listResyncs,
  ResyncListParams,
  type ResyncStatus,
} from '../api/resyncs';
import { signNotification } from '../api/signature';
import { driftNow } from './drift';

export const USAGE = `Usage: npm run resync -- <command> [options]

  send  --secret <s> --application <urn> (--all | --ids a,b,c) [--url <webhook>] [--retries 5]
        POSTs a Job Resync Notification signed like LinkedIn; any answer but 200 is retried like
        LinkedIn would (growing delay, bounded attempts). --url: http://localhost:3000/webhooks/linkedin
  start --application <urn> (--all | --ids a,b,c)
        starts a resync directly on Temporal; prints its workflow id and Web UI link
  watch <workflowId>
        a progress bar until the resync closes, then its outcome and totals
  list  [--application <urn>] [--outcome SUCCEEDED|PARTIAL|DEADLINE_EXCEEDED] [--limit 50]
        recent resyncs, newest first
  drift <developerApplicationUrn>
        runs a drift check of the application now (LinkedIn's job statuses against the ATS, drifted
        jobs repaired by a resync); shows its progress, exits 0 once it completed

start, watch, list and drift read TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TASK_QUEUE,
RESYNC_DEADLINE, TASK_FOLLOW_UP_WINDOW and TEMPORAL_UI_URL (http://localhost:8233) from the environment.
`;

const DEFAULT_WEBHOOK_URL = 'http://localhost:3000/webhooks/linkedin';
/** LinkedIn does not publish its redelivery schedule; this one doubles from 1 s up to 30 s. */
const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 30_000;
/** Longer than the webhook's own 4 s budget for starting a workflow. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 10_000;
const WATCH_INTERVAL_MS = 1_000;

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const CliEnv = z.object({ TEMPORAL_UI_URL: z.url().default('http://localhost:8233') });

/**
 * The configuration of `start`, `watch` and `list`: the same parsing as the API and the worker. The CLI
 * signs with `--secret`, so the API's webhook secrets are not asked for.
 */
export function loadCliConfig(env: Record<string, string | undefined>) {
  const config = loadConfig({ ...env, LINKEDIN_WEBHOOK_SECRETS: env.LINKEDIN_WEBHOOK_SECRETS || '-' });
  const cli = CliEnv.safeParse(env);
  if (!cli.success) {
    throw new ConfigError(`invalid configuration:\n  TEMPORAL_UI_URL: ${cli.error.issues[0]?.message}`);
  }
  return { ...config, webUiUrl: cli.data.TEMPORAL_UI_URL.replace(/\/+$/, '') };
}

export interface CliDeps {
  env: Record<string, string | undefined>;
  out: Output;
  err: Output;
  fetch?: typeof fetch;
  /** A client to use instead of one built from the environment; it is left open. */
  client?: Client;
  sleep?: (ms: number) => Promise<void>;
  watchIntervalMs?: number;
}

/** Runs one command; resolves to the process exit code (0 done, 1 failed, 2 usage or configuration). */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'send':
        return await sendNotification(
          { ...parseSendArgs(args), workflowIdPrefix: deps.env.WORKFLOW_ID_PREFIX ?? '' },
          {
            fetch: deps.fetch ?? fetch,
            out: deps.out,
            sleep,
          },
        );
      case 'start': {
        const request = parseStartArgs(args);
        return await withTemporal(deps, (client, config) =>
          startResync(request, {
            client,
            out: deps.out,
            taskQueue: config.temporal.taskQueue,
            namespace: config.temporal.namespace,
            deadlineMs: config.resyncDeadlineMs,
            followUpWindowMs: config.followUpWindowMs,
            webUiUrl: config.webUiUrl,
            workflowIdPrefix: config.workflowIdPrefix,
          }),
        );
      }
      case 'watch': {
        const workflowId = parseWatchArgs(args);
        return await withTemporal(deps, (client) =>
          watchResync(workflowId, {
            client,
            out: deps.out,
            sleep,
            intervalMs: deps.watchIntervalMs ?? WATCH_INTERVAL_MS,
          }),
        );
      }
      case 'list': {
        const filter = parseListArgs(args);
        return await withTemporal(deps, (client) => listCommand(filter, { client, out: deps.out }));
      }
      case 'drift': {
        const urn = parseDriftArgs(args);
        return await withTemporal(deps, (client, config) =>
          driftNow(urn, {
            client,
            out: deps.out,
            sleep,
            intervalMs: deps.watchIntervalMs ?? WATCH_INTERVAL_MS,
            taskQueue: config.temporal.taskQueue,
            namespace: config.temporal.namespace,
            deadlineMs: config.resyncDeadlineMs,
            followUpWindowMs: config.followUpWindowMs,
            workflowIdPrefix: config.workflowIdPrefix,
            webUiUrl: config.webUiUrl,
          }),
        );
      }
      case 'help':
      case '--help':
      case '-h':
        deps.out.write(USAGE);
        return 0;
      default:
        throw new UsageError(command === undefined ? 'a command is required' : `unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      deps.err.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      deps.err.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function withTemporal(
  deps: CliDeps,
  use: (client: Client, config: ReturnType<typeof loadCliConfig>) => Promise<number>,
): Promise<number> {
  const config = loadCliConfig(deps.env);
  const client = deps.client ?? createTemporalClient(config.temporal);
  try {
    return await use(client, config);
  } finally {
    if (!deps.client) await client.connection.close();
  }
}

// ─── send ──────────────────────────────────────────────────────────────────────────────────────────

export interface SendOptions {
  url: string;
  secret: string;
  notification: JobResyncNotification;
  /** Deliveries after the first. */
  retries: number;
  /** The API's WORKFLOW_ID_PREFIX, to name the workflow the delivery starts. */
  workflowIdPrefix?: string;
}

/**
 * The notification's bytes as LinkedIn sends them: fields in alphabetical order, no spaces (LinkedIn's
 * samples in linkedin.md §1 come out byte for byte).
 */
export function notificationBody(notification: JobResyncNotification): string {
  return JSON.stringify({
    developerApplicationUrn: notification.developerApplicationUrn,
    ...(notification.syncAllOpenJobs ? {} : { externalJobPostingIds: notification.externalJobPostingIds }),
    syncAllOpenJobs: notification.syncAllOpenJobs,
    type: notification.type,
  });
}

/** The delay before redelivery `attempt + 1`. */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

/** Signs and POSTs like LinkedIn, redelivering on any answer but 200. Exit code 0 once answered 200. */
export async function sendNotification(
  options: SendOptions,
  deps: { fetch: typeof fetch; out: Output; sleep: (ms: number) => Promise<void> },
): Promise<number> {
  const body = notificationBody(options.notification);
  const signature = signNotification(options.secret, body);
  const attempts = options.retries + 1;
  for (let attempt = 1; ; attempt++) {
    const answer = await deliver(deps.fetch, options.url, body, signature);
    deps.out.write(`attempt ${attempt}/${attempts}: ${answer.text}\n`);
    if (answer.status === 200) {
      deps.out.write(`accepted: workflow ${workflowIdFor(options.notification, options.workflowIdPrefix)}\n`);
      return 0;
    }
    if (attempt >= attempts) {
      deps.out.write(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}\n`);
      return 1;
    }
    const wait = retryDelayMs(attempt);
    deps.out.write(`  delivering again in ${wait / 1000} s\n`);
    await deps.sleep(wait);
  }
}

async function deliver(
  fetchFn: typeof fetch,
  url: string,
  body: string,
  signature: string,
): Promise<{ status: number | undefined; text: string }> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signature },
      body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    return { status: undefined, text: `no answer: ${(error as Error).message}${code}` };
  }
  const raw = await response.text();
  let errorMessage: string | undefined;
  try {
    const json: unknown = JSON.parse(raw);
    const message = (json as { errorMessage?: unknown } | null)?.errorMessage;
    if (typeof message === 'string') errorMessage = message;
  } catch {
    // Not JSON: 200 and 500 have no body.
  }
  return {
    status: response.status,
    text: `${response.status} ${errorMessage ?? (response.statusText || '')}`.trimEnd(),
  };
}

function parseSendArgs(args: readonly string[]): SendOptions {
  const { values } = parse(args, {
    url: { type: 'string', default: DEFAULT_WEBHOOK_URL },
    secret: { type: 'string' },
    application: { type: 'string' },
    all: { type: 'boolean' },
    ids: { type: 'string' },
    retries: { type: 'string', default: '5' },
  });
  if (!values.secret) throw new UsageError('send needs --secret');
  const retries = Number(values.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    throw new UsageError('--retries must be a whole number from 0 to 20');
  }
  try {
    new URL(values.url);
  } catch {
    throw new UsageError(`--url ${values.url} is not a URL`);
  }
  return {
    url: values.url,
    secret: values.secret,
    notification: notificationOf(values),
    retries,
  };
}

// ─── start ─────────────────────────────────────────────────────────────────────────────────────────

/** Starts a resync on Temporal as the webhook would (same workflow id and options), received now. */
export async function startResync(
  notification: JobResyncNotification,
  deps: {
    client: Client;
    out: Output;
    taskQueue: string;
    namespace: string;
    deadlineMs: number;
    followUpWindowMs: number;
    webUiUrl: string;
    workflowIdPrefix?: string;
  },
): Promise<number> {
  const starter = createResyncStarter(deps.client, {
    taskQueue: deps.taskQueue,
    deadlineMs: deps.deadlineMs,
    followUpWindowMs: deps.followUpWindowMs,
    workflowIdPrefix: deps.workflowIdPrefix ?? '',
    startTimeoutMs: START_TIMEOUT_MS,
  });
  const started = await starter.start(notification, Date.now());
  const link = `${deps.webUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(started.workflowId)}`;
  deps.out.write(
    [
      // USE_EXISTING: a resync of the same request that is still running is joined, not duplicated.
      `resync running: ${started.workflowId}${started.runId ? ` (run ${started.runId})` : ''}`,
      `  Web UI: ${link}`,
      `  watch:  npm run resync -- watch ${started.workflowId}`,
      '',
    ].join('\n'),
  );
  return 0;
}

function parseStartArgs(args: readonly string[]): JobResyncNotification {
  const { values } = parse(args, {
    application: { type: 'string' },
    all: { type: 'boolean' },
    ids: { type: 'string' },
  });
  return notificationOf(values);
}

// ─── watch ─────────────────────────────────────────────────────────────────────────────────────────

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
      deps.out.write(`no resync with workflow id ${workflowId}\n`);
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

function parseWatchArgs(args: readonly string[]): string {
  const { positionals } = parse(args, {}, true);
  const [workflowId, ...extra] = positionals;
  if (!workflowId || extra.length > 0) throw new UsageError('watch takes one workflow id');
  return workflowId;
}

function parseDriftArgs(args: readonly string[]): string {
  const { positionals } = parse(args, {}, true);
  const [urn, ...extra] = positionals;
  if (!urn || extra.length > 0) throw new UsageError('drift takes one developerApplicationUrn');
  if (!/^urn:li:developerApplication:\d+$/.test(urn)) {
    throw new UsageError('drift: the application must look like urn:li:developerApplication:{numeric id}');
  }
  return urn;
}

// ─── list ──────────────────────────────────────────────────────────────────────────────────────────

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

function parseListArgs(args: readonly string[]): ResyncListParams {
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

// ─── arguments ─────────────────────────────────────────────────────────────────────────────────────

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string }>;

function parse<T extends OptionSpec>(args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--application` with `--all` or `--ids`, checked like a notification LinkedIn would send. */
function notificationOf(values: {
  application?: string | boolean | undefined;
  all?: string | boolean | undefined;
  ids?: string | boolean | undefined;
}): JobResyncNotification {
  if (typeof values.application !== 'string') throw new UsageError('--application <urn> is required');
  const ids = typeof values.ids === 'string' ? values.ids.split(',').map((id) => id.trim()) : undefined;
  if ((values.all === true) === (ids !== undefined)) {
    throw new UsageError('give either --all or --ids a,b,c');
  }
  const parsed = JobResyncNotification.safeParse({
    developerApplicationUrn: values.application,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: values.all === true,
    ...(ids ? { externalJobPostingIds: ids.filter((id) => id.length > 0) } : {}),
  });
  if (!parsed.success) throw new UsageError(describeNotificationError(parsed.error));
  return parsed.data;
}

if (require.main === module) {
  runCli(process.argv.slice(2), { env: process.env, out: process.stdout, err: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Typically Temporal out of reach: say what failed, without the gRPC stack.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      console.error(error instanceof Error ? `${error.message}${cause}` : error);
      process.exit(1);
    },
  );
}
