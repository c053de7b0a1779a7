/**
 * How the worker's `linkedin_responses_total` names LinkedIn's answers: by call (the endpoint, never its
 * query) and by status class, so every series is known before the first call and can start at zero.
 */
export const LINKEDIN_CALLS = [
  'accessToken',
  'simpleJobPostings',
  'simpleJobPostingTasks',
  'jobPostingStatus',
] as const;
export type LinkedInCall = (typeof LINKEDIN_CALLS)[number];

/** 401 and 429 apart (a refused token, LinkedIn's throttle); `unreachable`: no answer (a timeout too). */
export const LINKEDIN_ANSWER_STATUSES = ['2xx', '3xx', '401', '429', '4xx', '5xx', 'unreachable'] as const;
export type LinkedInAnswerStatus = (typeof LINKEDIN_ANSWER_STATUSES)[number];

export type LinkedInAnswerListener = (call: LinkedInCall, status: LinkedInAnswerStatus) => void;

/** The call a request URL makes: the token endpoint, or the last segment of the API path. */
export function linkedInCallOf(url: string, tokenUrl: string): LinkedInCall | undefined {
  if (url === tokenUrl) return 'accessToken';
  const segment = new URL(url).pathname.split('/').pop();
  return LINKEDIN_CALLS.find((call) => call === segment);
}

export function answerStatusOf(status: number): LinkedInAnswerStatus {
  if (status === 401 || status === 429) return status === 401 ? '401' : '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return status >= 300 ? '3xx' : '2xx';
}
