/** `send`: plays LinkedIn, a signed notification redelivered on any answer but 200. */
import type { JobResyncNotification } from '../contract';
import { workflowIdFor } from '../api/workflow-id';
import { signNotification } from '../api/signature';
import { notificationOf, parse, UsageError, type Output } from './args';
import { echo } from '../echo';
import { withSecretFiles } from '../config-files';
import { refuseSecretInArgv, secretFromStdin, type SecretInput } from './secret-input';

/** The longest answer of the webhook `send` prints. */
const MAX_ANSWER_SHOWN = 500;

const DEFAULT_WEBHOOK_URL = 'http://localhost:3000/webhooks/linkedin';
/** LinkedIn does not publish its redelivery schedule; this one doubles from 1 s up to 30 s. */
const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 30_000;
/** Longer than the webhook's own 4 s budget for starting a workflow. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface SendOptions {
  url: string;
  secret: string;
  notification: JobResyncNotification;
  /** Deliveries after the first. */
  retries: number;
  /** The API's WORKFLOW_ID_PREFIX, to name the workflow the delivery starts. */
  workflowIdPrefix?: string;
}

/**
 * The notification's bytes as LinkedIn sends them: fields in alphabetical order, no spaces (LinkedIn's
 * samples in linkedin.md §1 come out byte for byte).
 */
export function notificationBody(notification: JobResyncNotification): string {
  return JSON.stringify({
    developerApplicationUrn: notification.developerApplicationUrn,
    ...(notification.syncAllOpenJobs ? {} : { externalJobPostingIds: notification.externalJobPostingIds }),
    syncAllOpenJobs: notification.syncAllOpenJobs,
    type: notification.type,
  });
}

/** The delay before redelivery `attempt + 1`. */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

/** Signs and POSTs like LinkedIn, redelivering on any answer but 200. Exit code 0 once answered 200. */
export async function sendNotification(
  options: SendOptions,
  deps: { fetch: typeof fetch; out: Output; sleep: (ms: number) => Promise<void> },
): Promise<number> {
  const body = notificationBody(options.notification);
  const signature = signNotification(options.secret, body);
  const attempts = options.retries + 1;
  for (let attempt = 1; ; attempt++) {
    const answer = await deliver(deps.fetch, options.url, body, signature);
    deps.out.write(`attempt ${attempt}/${attempts}: ${answer.text}\n`);
    if (answer.status === 200) {
      deps.out.write(`accepted: workflow ${workflowIdFor(options.notification, options.workflowIdPrefix)}\n`);
      return 0;
    }
    if (attempt >= attempts) {
      deps.out.write(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}\n`);
      return 1;
    }
    const wait = retryDelayMs(attempt);
    deps.out.write(`  delivering again in ${wait / 1000} s\n`);
    await deps.sleep(wait);
  }
}

async function deliver(
  fetchFn: typeof fetch,
  url: string,
  body: string,
  signature: string,
): Promise<{ status: number | undefined; text: string }> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signature },
      body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    return { status: undefined, text: `no answer: ${(error as Error).message}${code}` };
  }
  const raw = await response.text();
  let errorMessage: string | undefined;
  try {
    const json: unknown = JSON.parse(raw);
    const message = (json as { errorMessage?: unknown } | null)?.errorMessage;
    if (typeof message === 'string') errorMessage = message;
  } catch {
    // Not JSON: 200 and 500 have no body.
  }
  return {
    status: response.status,
    // What the webhook answered, cut short: any server may answer at any length.
    text: echo(
      `${response.status} ${errorMessage ?? (response.statusText || '')}`.trimEnd(),
      MAX_ANSWER_SHOWN,
    ),
  };
}

/** Where `send` takes the secret it signs with, and how to give it; never argv. */
export const SEND_SECRET_HOW_TO =
  'set LINKEDIN_WEBHOOK_SECRET (or LINKEDIN_WEBHOOK_SECRET_FILE, a file holding it), or pipe it on stdin';

export function parseSendArgs(args: readonly string[]): Omit<SendOptions, 'secret'> {
  refuseSecretInArgv(args, '--secret', `Instead ${SEND_SECRET_HOW_TO}.`);
  const { values } = parse(args, {
    url: { type: 'string', default: DEFAULT_WEBHOOK_URL },
    application: { type: 'string' },
    all: { type: 'boolean' },
    ids: { type: 'string' },
    retries: { type: 'string', default: '5' },
  });
  const retries = Number(values.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    throw new UsageError('--retries must be a whole number from 0 to 20');
  }
  try {
    new URL(values.url);
  } catch {
    throw new UsageError(`--url ${echo(values.url)} is not a URL`);
  }
  return {
    url: values.url,
    notification: notificationOf(values),
    retries,
  };
}

/**
 * The secret `send` signs with: LINKEDIN_WEBHOOK_SECRET (or the file LINKEDIN_WEBHOOK_SECRET_FILE names),
 * else what is piped on stdin.
 */
export async function sendSecret(
  env: Record<string, string | undefined>,
  stdin: SecretInput | undefined,
): Promise<string> {
  const fromEnv = withSecretFiles(env, ['LINKEDIN_WEBHOOK_SECRET']).LINKEDIN_WEBHOOK_SECRET?.trim();
  if (fromEnv) return fromEnv;
  return secretFromStdin(stdin, SEND_SECRET_HOW_TO);
}
