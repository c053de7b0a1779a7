/** An answer the API gives on purpose: `errorMessage` is shown to the caller (LinkedIn). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly errorMessage: string,
    /** The answer closes the connection: the rest of the request is never read. */
    readonly closes = false,
    /** Headers of the answer (`Retry-After`, say). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(errorMessage);
  }
}
