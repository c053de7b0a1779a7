import type { Tracer } from '@opentelemetry/api';
import type { z } from 'zod';
import { tracedFetch } from '../observability/tracing-linkedin';
import { LinkedInApiError } from './linkedin-api-error';
import { LinkedInContractError } from './linkedin-contract-error';
import { LinkedInUnreachableError } from './linkedin-unreachable-error';
import { BatchCreateResponse, ErrorBody, TaskStatusResponse, TokenResponse } from './schemas';
import { readTask, type TaskStatus } from './answer-readings';
import type { JobPostingElement } from './elements';
import { answerStatusOf, linkedInCallOf, type LinkedInAnswerListener } from './answer-metrics';
import {
  JobPostingStatusResponse,
  jobStatusQuery,
  readJobPostingStatuses,
  type DroppedUrlListener,
  type LinkedInJobStatus,
} from './job-posting-status';

export interface LinkedInClientOptions {
  apiUrl: string;
  tokenUrl: string;
  /** Bounds one HTTP exchange; a hung connection becomes a retryable failure. */
  requestTimeoutMs: number;
  fetch?: typeof fetch;
  /** Told every answer (and every call that got none): the worker's `linkedin_responses_total`. */
  onAnswer?: LinkedInAnswerListener;
  /** With tracing on: a span per exchange (method, path, status, LinkedIn's request id); none without. */
  tracer?: Tracer | undefined;
}

export interface AccessToken {
  accessToken: string;
  expiresAt: number;
}

export type ElementResult = { ok: true; taskUrn: string } | { ok: false; status: number; message: string };

/** A task as `readTask` reads it. */
export interface TaskState {
  status: TaskStatus;
  externalJobPostingId: string | undefined;
  jobPosting: string | undefined;
  errorMessage: string | undefined;
}

/** LinkedIn's query-string limit for simpleJobPostingTasks (linkedin.md §6). */
export const MAX_TASK_QUERY_BYTES = 4096;

/**
 * A thin client for the three LinkedIn calls the resync makes. It never retries: Temporal's retry policy
 * is the one retry layer. Every answer is checked against LinkedIn's documented shape.
 */
export class LinkedInClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: LinkedInClientOptions) {
    const send = options.fetch ?? globalThis.fetch;
    this.fetch = options.tracer ? tracedFetch(options.tracer, send) : send;
  }

  async fetchToken(clientId: string, clientSecret: string, signal?: AbortSignal): Promise<AccessToken> {
    const sentAt = Date.now();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    const response = await this.send(
      this.options.tokenUrl,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      },
      signal,
    );
    const token = parse(TokenResponse, await readJson(response), 'accessToken');
    return { accessToken: token.access_token, expiresAt: sentAt + token.expires_in * 1000 };
  }

  /** One `batch_create` call; one result per element, in order. */
  async postJobs(
    accessToken: string,
    elements: readonly JobPostingElement[],
    signal?: AbortSignal,
  ): Promise<ElementResult[]> {
    const response = await this.send(
      `${this.options.apiUrl}/v2/simpleJobPostings`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${accessToken}`,
          'X-Restli-Method': 'batch_create',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ elements }),
      },
      signal,
    );
    const parsed = parse(BatchCreateResponse, await readJson(response), 'simpleJobPostings');
    if (parsed.elements.length !== elements.length) {
      throw new LinkedInContractError(
        `simpleJobPostings answered ${parsed.elements.length} results for ${elements.length} elements`,
      );
    }
    return parsed.elements.map((element): ElementResult =>
      'id' in element
        ? { ok: true, taskUrn: element.id }
        : {
            ok: false,
            status: element.status,
            message: element.error?.message ?? `element status ${element.status}`,
          },
    );
  }

  /** Status of tasks; the caller keeps the query within MAX_TASK_QUERY_BYTES (see `taskQueryChunks`). */
  async getTasks(
    accessToken: string,
    taskUrns: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, TaskState>> {
    const response = await this.send(
      `${this.options.apiUrl}/v2/simpleJobPostingTasks?${taskQuery(taskUrns)}`,
      {
        method: 'GET',
        headers: { Authorization: `Bearer ${accessToken}` },
      },
      signal,
    );
    const parsed = parse(TaskStatusResponse, await readJson(response), 'simpleJobPostingTasks');
    const states = new Map<string, TaskState>();
    for (const [urn, task] of Object.entries(parsed.results)) {
      const reading = readTask(task.status, task.errorMessage);
      states.set(urn, {
        status: reading.status,
        externalJobPostingId: task.externalJobPostingId ?? undefined,
        jobPosting: task.jobPosting ?? undefined,
        errorMessage: reading.errorMessage,
      });
    }
    return states;
  }

  /** What LinkedIn shows for up to 100 jobs, one status per id (see job-posting-status.ts). */
  async getJobPostingStatuses(
    accessToken: string,
    externalJobPostingIds: readonly string[],
    signal?: AbortSignal,
    onDroppedUrl?: DroppedUrlListener,
  ): Promise<LinkedInJobStatus[]> {
    const response = await this.send(
      `${this.options.apiUrl}/v2/jobPostingStatus?${jobStatusQuery(externalJobPostingIds)}`,
      { method: 'GET', headers: { Authorization: `Bearer ${accessToken}` } },
      signal,
    );
    const parsed = parse(JobPostingStatusResponse, await readJson(response), 'jobPostingStatus');
    return readJobPostingStatuses(parsed, externalJobPostingIds, onDroppedUrl);
  }

  private async send(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    let response: Response;
    try {
      response = await this.fetch(url, {
        ...init,
        // A followed 307 would re-send the body (the token request's client secret) to wherever it points.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      // Our caller's cancellation is not LinkedIn's fault: let it through as it is.
      if (signal?.aborted) throw error;
      this.answered(url, 'unreachable');
      const reason = timeout.aborted
        ? `no answer within ${this.options.requestTimeoutMs} ms`
        : describe(error);
      throw new LinkedInUnreachableError(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${reason}`);
    }
    this.answered(url, response.status);
    if (response.ok) return response;
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new LinkedInContractError(
        `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}, a redirect: not followed`,
      );
    }
    throw await apiError(response);
  }

  private answered(url: string, status: number | 'unreachable'): void {
    const call = this.options.onAnswer && linkedInCallOf(url, this.options.tokenUrl);
    if (call) this.options.onAnswer?.(call, status === 'unreachable' ? status : answerStatusOf(status));
  }
}

export function taskQuery(taskUrns: readonly string[]): string {
  return taskUrns.map((urn) => `ids=${encodeURIComponent(urn)}`).join('&');
}

/** Splits task urns into groups whose query string stays within LinkedIn's 4 KB. */
export function taskQueryChunks(taskUrns: readonly string[], maxBytes = MAX_TASK_QUERY_BYTES): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const urn of taskUrns) {
    const part = `ids=${encodeURIComponent(urn)}`.length;
    if (current.length > 0 && size + 1 + part > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    size += current.length === 0 ? part : part + 1;
    current.push(urn);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function apiError(response: Response): Promise<LinkedInApiError> {
  const text = await response.text().catch(() => '');
  let message = `HTTP ${response.status}`;
  let serviceErrorCode: number | undefined;
  let externalJobPostingId: string | undefined;
  try {
    const body = ErrorBody.safeParse(JSON.parse(text));
    if (body.success) {
      message = body.data.message ?? body.data.error_description ?? message;
      serviceErrorCode = body.data.serviceErrorCode;
      externalJobPostingId = body.data.errorDetails?.externalJobPostingId;
    }
  } catch {
    // Not JSON (a proxy's page, say): the status alone decides.
  }
  return new LinkedInApiError(
    response.status,
    message,
    serviceErrorCode,
    retryAfterMs(response.headers.get('retry-after')),
    externalJobPostingId,
  );
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new LinkedInContractError(
      `${new URL(response.url || 'http://x/').pathname} answered ${response.status} with a body that is not JSON`,
    );
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LinkedInContractError(
      `${what} answered outside its documented shape: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
