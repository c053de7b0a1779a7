import type { Logger } from 'pino';
import type { JobStore } from '../ats/job-store';

/**
 * LinkedIn's client secrets are 16 characters or more. A child secret shorter than this (empty, a
 * placeholder, a test value) could be guessed from one signed notification or challenge answer, so the
 * webhook never uses it: such an application's notifications must be signed with a configured secret.
 */
export const MIN_CHILD_SECRET_LENGTH = 16;

export interface ApplicationSecretsOptions {
  store: Pick<JobStore, 'listApplicationSecrets'>;
  logger: Logger;
  /** A snapshot older than this is read again before it is used. */
  maxAgeMs?: number;
  /** An application missing from a snapshot at least this old reads the store again (it may be new). */
  missRefreshMs?: number;
  now?: () => number;
}

/**
 * The child applications' client secrets, as one in-process snapshot of the store read at most every few
 * seconds: checking the signature of a request, however many are sent and whatever application they name,
 * costs no database query of its own (docs/security.md).
 */
export class ApplicationSecrets {
  private snapshot: { at: number; secrets: ReadonlyMap<string, string> } | undefined;
  private loading: Promise<ReadonlyMap<string, string>> | undefined;
  private failure: { at: number; error: Error } | undefined;
  private readonly refused = new Set<string>();
  private readonly maxAgeMs: number;
  private readonly missRefreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ApplicationSecretsOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.missRefreshMs = options.missRefreshMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** The usable client secret of `urn`, or undefined when the ATS holds none. */
  async secretOf(urn: string): Promise<string | undefined> {
    const snapshot = this.snapshot;
    const age = snapshot === undefined ? Infinity : this.now() - snapshot.at;
    if (snapshot !== undefined && age < this.maxAgeMs) {
      const secret = snapshot.secrets.get(urn);
      if (secret !== undefined || age < this.missRefreshMs) return secret;
    }
    return (await this.load()).get(urn);
  }

  private load(): Promise<ReadonlyMap<string, string>> {
    // A store that just failed is not asked again at once: a flood of requests is not a flood of queries.
    const failure = this.failure;
    if (failure !== undefined && this.now() - failure.at < this.missRefreshMs) {
      return this.snapshot ? Promise.resolve(this.snapshot.secrets) : Promise.reject(failure.error);
    }
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<ReadonlyMap<string, string>> {
    const at = this.now();
    let rows: Array<{ urn: string; clientSecret: string }>;
    try {
      rows = await this.options.store.listApplicationSecrets();
    } catch (error) {
      this.failure = { at, error: error instanceof Error ? error : new Error(String(error)) };
      // The last snapshot is better than refusing LinkedIn's notifications while the store is away.
      if (this.snapshot === undefined) throw error;
      this.options.logger.warn({ err: error }, 'application secrets could not be read; using the last ones');
      return this.snapshot.secrets;
    }
    this.failure = undefined;
    const secrets = new Map<string, string>();
    for (const { urn, clientSecret } of rows) {
      if (clientSecret.length >= MIN_CHILD_SECRET_LENGTH) {
        secrets.set(urn, clientSecret);
      } else if (!this.refused.has(urn)) {
        this.refused.add(urn);
        this.options.logger.warn(
          { developerApplicationUrn: urn, minimumLength: MIN_CHILD_SECRET_LENGTH },
          'the client secret of this application is too short to check signatures with; it is not used',
        );
      }
    }
    this.snapshot = { at, secrets };
    return secrets;
  }
}
