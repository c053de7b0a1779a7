import Router from '@koa/router';
import {
  ApplicationFailure,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { z } from 'zod';
import {
  DeadlineExceededDetails,
  developerApplicationUrn,
  DEVELOPER_APPLICATION_URN,
  RESYNC_OUTCOME,
  RESYNC_OUTCOMES,
  ResyncResult,
  WORKFLOW_TYPE,
  type JobResult,
  type ResyncOutcome,
  type ResyncProgress,
  type ResyncTotals,
} from '../contract';
import { FailureType } from '../failures';
import { progressQuery } from '../contract/signals';
import { requireBearerToken } from './bearer-token';
import { HttpError } from './http-error';
import { echo } from '../echo';

export { RESYNC_OUTCOMES };
export const MAX_PAGE_SIZE = 1_000;
export const MAX_LIST_LIMIT = 500;
/** Temporal's limit on a workflow id (its default `limit.maxIDLength`). */
export const MAX_WORKFLOW_ID_LENGTH = 1_000;
/** Statuses of a run that has ended for good (a continued run goes on in its successor). */
export const CLOSED_STATUSES: ReadonlySet<WorkflowExecutionStatusName> = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
]);
/** A query of a closed resync replays its history on a worker; no answer within this and progress is null. */
const QUERY_TIMEOUT_MS = 3_000;

const count = (name: string, fallback: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int({ error: `${name} must be a whole number` })
    .min(1, { error: `${name} must be at least 1` })
    .max(max, { error: `${name} must be at most ${max}` })
    .default(fallback);

/** `?page=&pageSize=` of a resync's per-job results. */
export const PageParams = z.object({
  page: count('page', 1, Number.MAX_SAFE_INTEGER),
  pageSize: count('pageSize', 100, MAX_PAGE_SIZE),
});
export type PageParams = z.infer<typeof PageParams>;

/**
 * Filters of the resync list. Both end up inside a visibility query, so only values of a known shape
 * pass: nothing a caller sends can change the query's meaning.
 */
export const ResyncListParams = z.object({
  application: developerApplicationUrn('application', 'application must be given once').optional(),
  outcome: z
    .enum(RESYNC_OUTCOMES, { error: `outcome must be one of ${RESYNC_OUTCOMES.join(', ')}` })
    .optional(),
  limit: count('limit', 50, MAX_LIST_LIMIT),
});
export type ResyncListParams = z.infer<typeof ResyncListParams>;

export interface ResyncResultView {
  outcome: ResyncOutcome;
  /** `outcomeUnknown` is 0 in results of releases that did not count it. */
  totals: ResyncTotals & { outcomeUnknown: number };
  continuedAsNew: number;
  /** Jobs beyond the listed ones (a resync keeps at most 1,000 per-job results). */
  jobsLeftOut: number;
  jobs: { page: number; pageSize: number; total: number; items: JobResult[] };
}

export interface ResyncFailureView {
  type: string;
  message: string;
  /** ResyncDeadlineExceeded: the jobs not sent (at most 1,000 listed) and how many there were. */
  notSent?: string[];
  notSentCount?: number;
  /** ResyncDeadlineExceeded: the jobs of the call the deadline abandoned (LinkedIn may have them). */
  outcomeUnknown?: string[];
}

/** `GET /resyncs/:workflowId`. */
export interface ResyncStatus {
  workflowId: string;
  /** The latest run: a long resync continues as new. */
  runId: string;
  firstRunId: string;
  status: WorkflowExecutionStatusName;
  developerApplicationUrn: string | null;
  outcome: string | null;
  summary: string | null;
  /** When the resync (its first run) started. */
  startTime: string;
  closeTime: string | null;
  /** The `progress` query; null when it did not answer (no worker, or the run is in between). */
  progress: ResyncProgress | null;
  /** Completed: the result. Missed its deadline: the partial result the failure carries. */
  result: ResyncResultView | null;
  failure: ResyncFailureView | null;
}

/** One row of `GET /resyncs`. */
export interface ResyncListItem {
  workflowId: string;
  runId: string;
  status: WorkflowExecutionStatusName;
  application: string | null;
  outcome: string | null;
  startTime: string;
  closeTime: string | null;
}

/**
 * A resync as an operator wants to see it: state, search attributes, progress and, once closed, its
 * result or failure. Follows continue-as-new (the latest run). Undefined when there is no such resync.
 */
export async function getResyncStatus(
  client: Client,
  workflowId: string,
  page: PageParams,
): Promise<ResyncStatus | undefined> {
  let description;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  if (description.type !== WORKFLOW_TYPE) return undefined;

  const handle = client.workflow.getHandle(workflowId, description.runId);
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
  const first =
    firstRunId === description.runId
      ? description
      : await client.workflow.getHandle(workflowId, firstRunId).describe();
  const status = description.status.name;
  const [summary, progress, closed] = await Promise.all([
    // A continued run has no summary of its own: the first run's names the resync.
    description.staticSummary().then(async (own) => own ?? (await first.staticSummary())),
    client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(progressQuery)).catch(() => null),
    CLOSED_STATUSES.has(status) ? outcomeOf(handle.result(), page) : undefined,
  ]);
  return {
    workflowId,
    runId: description.runId,
    firstRunId,
    status,
    developerApplicationUrn: description.typedSearchAttributes.get(DEVELOPER_APPLICATION_URN) ?? null,
    outcome: description.typedSearchAttributes.get(RESYNC_OUTCOME) ?? null,
    summary: summary ?? null,
    startTime: first.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString() ?? null,
    progress,
    result: closed?.result ?? null,
    failure: closed?.failure ?? null,
  };
}

async function outcomeOf(
  result: Promise<unknown>,
  page: PageParams,
): Promise<{ result: ResyncResultView | null; failure: ResyncFailureView | null }> {
  try {
    return { result: resultView(ResyncResult.parse(await result), page), failure: null };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    if (!(cause instanceof ApplicationFailure)) {
      // Terminated, cancelled or timed out.
      return {
        result: null,
        failure: { type: cause?.name ?? 'WorkflowFailed', message: cause?.message ?? error.message },
      };
    }
    const type = cause.type ?? 'ApplicationFailure';
    if (type !== FailureType.ResyncDeadlineExceeded) {
      return { result: null, failure: { type, message: cause.message } };
    }
    const details = DeadlineExceededDetails.parse(cause.details?.[0]);
    return {
      result: resultView(details.result, page),
      failure: {
        type,
        message: cause.message,
        notSent: details.notSent,
        notSentCount: details.notSentCount,
        outcomeUnknown: details.outcomeUnknown ?? [],
      },
    };
  }
}

function resultView(result: ResyncResult, page: PageParams): ResyncResultView {
  const start = (page.page - 1) * page.pageSize;
  return {
    outcome: result.outcome,
    totals: { ...result.totals, outcomeUnknown: result.totals.outcomeUnknown ?? 0 },
    continuedAsNew: result.continuedAsNew,
    jobsLeftOut: result.jobsLeftOut,
    jobs: {
      page: page.page,
      pageSize: page.pageSize,
      total: result.jobs.length,
      items: result.jobs.slice(start, start + page.pageSize),
    },
  };
}

/** The visibility query of a resync list; the values are validated by `ResyncListParams`. */
export function resyncListQuery(filter: Pick<ResyncListParams, 'application' | 'outcome'>): string {
  // Each continued run is listed by visibility too: show a resync once, by its latest run.
  const clauses = [`WorkflowType = "${WORKFLOW_TYPE}"`, `ExecutionStatus != "ContinuedAsNew"`];
  if (filter.application) clauses.push(`${DEVELOPER_APPLICATION_URN.name} = "${filter.application}"`);
  if (filter.outcome) clauses.push(`${RESYNC_OUTCOME.name} = "${filter.outcome}"`);
  return clauses.join(' AND ');
}

/**
 * Recent resyncs from Temporal's visibility, newest first. Visibility lists open runs first, then the
 * most recently closed; the first `limit` of those are sorted by start time.
 */
export async function listResyncs(client: Client, params: ResyncListParams): Promise<ResyncListItem[]> {
  const items: ResyncListItem[] = [];
  for await (const execution of client.workflow.list({
    query: resyncListQuery(params),
    pageSize: params.limit,
  })) {
    items.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      status: execution.status.name,
      application: execution.typedSearchAttributes.get(DEVELOPER_APPLICATION_URN) ?? null,
      outcome: execution.typedSearchAttributes.get(RESYNC_OUTCOME) ?? null,
      startTime: execution.startTime.toISOString(),
      closeTime: execution.closeTime?.toISOString() ?? null,
    });
    if (items.length >= params.limit) break;
  }
  return items.sort((a, b) => b.startTime.localeCompare(a.startTime));
}

export interface ResyncRoutesDeps {
  /** The bearer token every request must carry. */
  token: string;
  client: Client;
}

/** `GET /resyncs/:workflowId` and `GET /resyncs`, behind `Authorization: Bearer <ADMIN_TOKEN>`. */
export function createResyncRoutes(deps: ResyncRoutesDeps): Router {
  const router = new Router();
  const admin = requireBearerToken(deps.token);

  router.get('/resyncs', admin, async (ctx) => {
    const params = parseQuery(ResyncListParams, ctx.query);
    ctx.body = { resyncs: await listResyncs(deps.client, params) };
  });

  router.get('/resyncs/:workflowId', admin, async (ctx) => {
    const workflowId = ctx.params.workflowId ?? '';
    const page = parseQuery(PageParams, ctx.query);
    // Temporal holds no workflow id this long: not asked at all.
    const status =
      workflowId.length > MAX_WORKFLOW_ID_LENGTH
        ? undefined
        : await getResyncStatus(deps.client, workflowId, page);
    if (!status) throw new HttpError(404, `no resync with workflow id ${echo(workflowId)}`);
    ctx.body = status;
  });

  return router;
}

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}
