import { echo } from '../echo';

/**
 * The longest `errorMessage` the API answers: every message names its field and cuts what it echoes (to
 * `MAX_ECHO_LENGTH`), and whatever a message still holds is cut here, so no answer or log line carries
 * more of a request than this.
 */
export const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/**
 * What POST /webhooks/linkedin answers: 200, the refusals below (400 malformed, 401 signature, 408 body
 * cut short, 413 too large, 503 body budget spent) and 500 for a failure of ours (LinkedIn retries).
 * `linkedin_notifications_total` starts each at zero.
 */
export const WEBHOOK_ANSWER_STATUSES = [200, 400, 401, 408, 413, 500, 503] as const;

/** An answer the API gives on purpose: `errorMessage` is shown to the caller (LinkedIn). */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly errorMessage: string;
  constructor(
    readonly status: number,
    errorMessage: string,
    /** The answer closes the connection: the rest of the request is never read. */
    readonly closes = false,
    /** Headers of the answer (`Retry-After`, say). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    const bounded = echo(errorMessage, MAX_ERROR_MESSAGE_LENGTH);
    super(bounded);
    this.errorMessage = bounded;
  }
}
