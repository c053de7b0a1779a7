import type { DeveloperApplication } from '../contract/ats-job';
import { actionFor, isTokenRefused } from './answers';
import type { AccessToken, LinkedInClient } from './client';
import { LinkedInApiError } from './linkedin-api-error';
import { LinkedInCredentialsError } from './linkedin-credentials-error';
import { noteTokenRefused } from '../observability/tracing-linkedin';

export interface TokenCacheOptions {
  client: Pick<LinkedInClient, 'fetchToken'>;
  /** A token is renewed this long before LinkedIn says it expires, so no call carries a dying token. */
  renewBeforeMs?: number;
  now?: () => number;
}

/**
 * One token per child application, shared by every activity of the worker process and reused until it
 * expires, as LinkedIn asks (linkedin.md §4). Concurrent callers share a single token request.
 */
export class TokenCache {
  private readonly tokens = new Map<string, Promise<AccessToken>>();
  private readonly renewBeforeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions) {
    this.renewBeforeMs = options.renewBeforeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The application's token. `signal` ends this caller's wait only: the request is shared, so it runs on
   * (bounded by the client's request timeout) for the other callers and fills the cache for later ones.
   */
  async get(application: DeveloperApplication, signal?: AbortSignal): Promise<string> {
    const cached = this.tokens.get(application.urn);
    if (cached) {
      const token = await untilAborted(cached, signal);
      if (token.expiresAt - this.renewBeforeMs > this.now()) return token.accessToken;
      // Only the caller that still sees the stale entry replaces it.
      if (this.tokens.get(application.urn) === cached) this.tokens.delete(application.urn);
      else return this.get(application, signal);
    }
    return (await untilAborted(this.request(application), signal)).accessToken;
  }

  private request(application: DeveloperApplication): Promise<AccessToken> {
    const request = this.options.client
      .fetchToken(application.clientId, application.clientSecret)
      .catch((error: unknown) => {
        throw credentialsRefused(application, error);
      });
    this.tokens.set(application.urn, request);
    // Every caller sharing a failed request gets its error; the next caller asks again.
    request.catch(() => {
      if (this.tokens.get(application.urn) === request) this.tokens.delete(application.urn);
    });
    return request;
  }

  /**
   * Runs `call` with the application's token; when LinkedIn refuses that token (401), forgets it and runs
   * `call` once more with a fresh one. Every LinkedIn call but the token request goes through here.
   */
  async withToken<T>(
    application: DeveloperApplication,
    call: (accessToken: string) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const token = await this.get(application, signal);
    try {
      return await call(token);
    } catch (error) {
      if (!isTokenRefused(error)) throw error;
      noteTokenRefused();
      await this.invalidate(application, token);
      return call(await this.get(application, signal));
    }
  }

  /** LinkedIn refused `accessToken` (401): forget it so the next call fetches a fresh one. */
  async invalidate(application: DeveloperApplication, accessToken: string): Promise<void> {
    const cached = this.tokens.get(application.urn);
    if (!cached) return;
    const token = await cached.catch(() => undefined);
    if (!token || token.accessToken === accessToken) {
      if (this.tokens.get(application.urn) === cached) this.tokens.delete(application.urn);
    }
  }
}

/**
 * A refusal from the token endpoint (4xx other than 429, see `ANSWER_RULES`) refuses the application's
 * client id or secret: whoever asked for the token, posting or task follow-up, must not retry it.
 */
function credentialsRefused(application: DeveloperApplication, error: unknown): unknown {
  if (!(error instanceof LinkedInApiError)) return error;
  if (actionFor({ source: 'token', status: error.status }) !== 'reject-call') return error;
  return new LinkedInCredentialsError(
    error.status,
    `LinkedIn refused the credentials of ${application.urn}: ${error.message}`,
    error.serviceErrorCode,
    undefined,
  );
}

/** The request's outcome, or the signal's reason as soon as it is aborted; the request itself goes on. */
function untilAborted<T>(request: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return request;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    request.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
