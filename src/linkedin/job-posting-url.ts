/** What `jobPostingUrl` the service keeps and shows: an https URL on one of LinkedIn's hosts, nothing else. */
import { echo } from '../echo';

/** The longest `jobPostingUrl` kept; LinkedIn's are `https://www.linkedin.com/jobs/view/{id}`. */
export const MAX_JOB_POSTING_URL_LENGTH = 2_000;

/** LinkedIn's own hosts: linkedin.com and its subdomains (www.linkedin.com serves job postings). */
function isLinkedInHost(hostname: string): boolean {
  return hostname === 'linkedin.com' || hostname.endsWith('.linkedin.com');
}

/**
 * A job posting's URL as the service keeps and shows it: an `https:` URL on a LinkedIn host, without
 * credentials or another port, at most MAX_JOB_POSTING_URL_LENGTH characters, in its normal form. Anything
 * else (`javascript:`, `http:`, another host, `https://linkedin.com.evil.example/`) is undefined: it is
 * dropped, never stored or served.
 */
export function linkedInJobPostingUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_JOB_POSTING_URL_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  const plain = url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '';
  return plain && isLinkedInHost(url.hostname) && url.href.length <= MAX_JOB_POSTING_URL_LENGTH
    ? url.href
    : undefined;
}

/** A `jobPostingUrl` that is given but is no https LinkedIn URL: what a warning names, cut short. */
export function droppedJobPostingUrl(value: unknown): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return undefined;
  }
  if (linkedInJobPostingUrl(value) !== undefined) return undefined;
  return echo(typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value));
}
