import type { Logger } from 'pino';
import type { JobStore } from '../ats/job-store';
import { childSecretProblem } from '../secret-rules';

export interface ApplicationSecretsOptions {
  store: Pick<JobStore, 'listApplicationSecrets'>;
  logger: Logger;
  /**
   * NODE_ENV=development: a child secret is used when it has LinkedIn's 16 characters. Otherwise it also
   * must not be one published in this repository (the demo applications'): src/secret-rules.ts.
   */
  development?: boolean;
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

  /**
   * The usable client secret of `urn`, or undefined when the ATS holds none. A miss reads the store again
   * once the snapshot is a few seconds old (the application may be new), unless `refreshOnMiss` is false:
   * the challenge's lookups then cost the same whether the ATS holds the application or not.
   */
  async secretOf(urn: string, options: { refreshOnMiss?: boolean } = {}): Promise<string | undefined> {
    const snapshot = this.snapshot;
    const age = snapshot === undefined ? Infinity : this.now() - snapshot.at;
    if (snapshot !== undefined && age < this.maxAgeMs) {
      const secret = snapshot.secrets.get(urn);
      if (secret !== undefined || age < this.missRefreshMs || options.refreshOnMiss === false) return secret;
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
      const problem = childSecretProblem(clientSecret, this.options.development ?? false);
      if (problem === undefined) {
        secrets.set(urn, clientSecret);
      } else if (!this.refused.has(urn)) {
        this.refused.add(urn);
        this.options.logger.warn(
          { developerApplicationUrn: urn },
          `the client secret of this application ${problem}: it is never used to check a signature or answer a challenge`,
        );
      }
    }
    this.snapshot = { at, secrets };
    return secrets;
  }
}
