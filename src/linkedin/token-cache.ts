import type { DeveloperApplication } from '../ats/job-store';
import type { AccessToken, LinkedInClient } from './client';
import { LinkedInApiError } from './linkedin-api-error';
import { LinkedInCredentialsError } from './linkedin-credentials-error';

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

  async get(application: DeveloperApplication, signal?: AbortSignal): Promise<string> {
    const cached = this.tokens.get(application.urn);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt - this.renewBeforeMs > this.now()) return token.accessToken;
      // Only the caller that still sees the stale entry replaces it.
      if (this.tokens.get(application.urn) === cached) this.tokens.delete(application.urn);
      else return this.get(application, signal);
    }
    const request = this.options.client
      .fetchToken(application.clientId, application.clientSecret, signal)
      .catch((error: unknown) => {
        throw credentialsRefused(application, error);
      });
    this.tokens.set(application.urn, request);
    try {
      return (await request).accessToken;
    } catch (error) {
      if (this.tokens.get(application.urn) === request) this.tokens.delete(application.urn);
      throw error;
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
 * A 4xx from the token endpoint (other than 429) refuses the application's client id or secret: whoever
 * asked for the token, posting or task follow-up, must not retry it.
 */
function credentialsRefused(application: DeveloperApplication, error: unknown): unknown {
  if (!(error instanceof LinkedInApiError) || error.status < 400 || error.status >= 500) return error;
  if (error.status === 429) return error;
  return new LinkedInCredentialsError(
    error.status,
    `LinkedIn refused the credentials of ${application.urn}: ${error.message}`,
    error.serviceErrorCode,
    undefined,
  );
}
