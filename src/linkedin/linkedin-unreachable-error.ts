/** No answer from LinkedIn: connection refused or reset, DNS, or our own request timeout. */
export class LinkedInUnreachableError extends Error {
  override name = 'LinkedInUnreachableError';
}
