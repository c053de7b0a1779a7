/** LinkedIn answered a whole call with an error status (linkedin.md §5 "whole-call errors"). */
export class LinkedInApiError extends Error {
  override name = 'LinkedInApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly serviceErrorCode: number | undefined,
    /** From Retry-After, when LinkedIn sent one. */
    readonly retryAfterMs: number | undefined,
    /** The job the error names in `errorDetails`, when it names one. */
    readonly externalJobPostingId?: string,
  ) {
    super(message);
  }
}
