/**
 * The least a SQL driver must offer. PGlite fits it as is, and so does node-postgres (`pg`), so the same
 * statements run embedded and on a PostgreSQL server. One statement per call: PGlite's `query` uses the
 * extended protocol, which refuses several statements at once.
 */
export interface SqlClient {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  close?(): Promise<void>;
}
