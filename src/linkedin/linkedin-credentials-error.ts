import { LinkedInApiError } from './linkedin-api-error';

/** The token endpoint refused the child application's client id or secret: no retry can fix that. */
export class LinkedInCredentialsError extends LinkedInApiError {
  override name = 'LinkedInCredentialsError';
}
