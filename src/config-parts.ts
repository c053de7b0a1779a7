/**
 * The parts of the configuration: each reads a few environment variables with zod and turns them into a
 * typed piece of the configuration. `config.ts` composes them into one loader a process. The API's own
 * part, with the rules for secrets outside development, is in `config-webhook.ts`; Temporal's, read
 * through Temporal's environment configuration, in `config-temporal.ts`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_LARGE_RESYNC_JOBS } from './contract';
import { parseDuration } from './duration';

export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 30m, 90s or 6s` });
        return z.NEVER;
      }
      return ms;
    });

export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const flag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true');

/**
 * Where a process serves its Prometheus metrics: a port of its own, apart from the public webhook port,
 * on loopback unless a scraper elsewhere needs them. The worker's (`WORKER_METRICS_*`) and the API's
 * (`API_METRICS_*`) are read alike.
 */
export const metricsPort = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
export const metricsHost = (name: string) =>
  z
    .string()
    .refine((host) => isIP(host) !== 0, { error: `${name} must be an IP address` })
    .default('127.0.0.1');

export const LogEnv = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

/** How a resync is started: the webhook and the CLI's `start` give every resync the same terms. */
export const ResyncStartEnv = z.object({
  RESYNC_DEADLINE: duration('30m'),
  TASK_FOLLOW_UP_WINDOW: duration('2h'),
  RESYNC_REPEAT_WINDOW: duration('1h'),
  WORKFLOW_ID_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, {
      error: 'WORKFLOW_ID_PREFIX may hold letters, digits, dot, dash and underscore',
    })
    .default(''),
  LARGE_RESYNC_JOBS: z.coerce.number().int().min(0).default(DEFAULT_LARGE_RESYNC_JOBS),
});

export const LinkedInEnv = z.object({
  LINKEDIN_API_URL: z.url().default('https://api.linkedin.com'),
  LINKEDIN_TOKEN_URL: z.url().default('https://www.linkedin.com/oauth/v2/accessToken'),
  LINKEDIN_ALLOW_HTTP: flag,
  TASK_POLL_INTERVAL: duration('5s'),
  TASK_POLL_MAX_INTERVAL: duration('60s'),
  LINKEDIN_REQUEST_TIMEOUT: duration('30s'),
});

export const StoreEnv = z.object({
  DATABASE_URL: optionalText,
  DATA_DIR: z.string().default('.data'),
});

export const WorkerRuntimeEnv = z.object({
  WORKER_METRICS_PORT: metricsPort(9464),
  WORKER_METRICS_HOST: metricsHost('WORKER_METRICS_HOST'),
  WORKFLOW_BUNDLE: optionalText,
  DRIFT_CHECK_INTERVAL: duration('6h'),
  TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: flag,
});

export const CliEnv = z.object({ TEMPORAL_UI_URL: z.url().default('http://localhost:8233') });

export interface LogConfig {
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export interface ResyncStartConfig {
  resyncDeadlineMs: number;
  /** From receipt: how long LinkedIn's tasks are followed (task ids live 24 hours). */
  followUpWindowMs: number;
  /** RESYNC_REPEAT_WINDOW: a notification is carried out in full at most twice within it. */
  repeatWindowMs: number;
  /** Put before every resync's workflow id: deployments sharing a namespace never join each other's resyncs. */
  workflowIdPrefix: string;
  /** A resync of more jobs than this runs on `<TASK_QUEUE>-large`; 0: every resync on TASK_QUEUE. */
  largeResyncJobs: number;
}

/** Where a process's Prometheus metrics listen. */
export interface MetricsListener {
  host: string;
  port: number;
}

export interface LinkedInConfig {
  linkedin: { apiUrl: string; tokenUrl: string };
  taskPolling: { intervalMs: number; maxIntervalMs: number };
  linkedinRequestTimeoutMs: number;
}

export interface StoreConfig {
  databaseUrl: string | undefined;
  dataDir: string;
}

export interface WorkerRuntimeConfig {
  /** Where the worker serves Prometheus metrics (the SDK's and the resync's). */
  workerMetricsPort: number;
  /** The address the worker's metrics listen on: loopback unless a scraper elsewhere needs them. */
  workerMetricsHost: string;
  /** A prebuilt workflow bundle for production workers (`npm run build` writes dist/workflows.bundle.js). */
  workflowBundle: string | undefined;
  /** How often each application's drift check runs (one Temporal Schedule per application). */
  driftCheckIntervalMs: number;
  /** Add the search attributes the workflows need when the namespace lacks them (a cluster it administers). */
  registerSearchAttributes: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readLog(c: z.infer<typeof LogEnv>): LogConfig {
  return { logLevel: c.LOG_LEVEL };
}

export function readResyncStart(c: z.infer<typeof ResyncStartEnv>): ResyncStartConfig {
  return {
    resyncDeadlineMs: c.RESYNC_DEADLINE,
    followUpWindowMs: Math.max(c.TASK_FOLLOW_UP_WINDOW, c.RESYNC_DEADLINE),
    workflowIdPrefix: c.WORKFLOW_ID_PREFIX,
    largeResyncJobs: c.LARGE_RESYNC_JOBS,
    repeatWindowMs: c.RESYNC_REPEAT_WINDOW,
  };
}

export function readLinkedIn(c: z.infer<typeof LinkedInEnv>): LinkedInConfig {
  const insecure = (['LINKEDIN_API_URL', 'LINKEDIN_TOKEN_URL'] as const).filter(
    (name) => !acceptableLinkedInUrl(c[name], c.LINKEDIN_ALLOW_HTTP),
  );
  if (insecure.length > 0) {
    throw new ConfigError(
      `invalid configuration:\n  ${insecure
        .map(
          (name) =>
            `${name} must be an https: URL (http: is accepted for a loopback host, or anywhere with LINKEDIN_ALLOW_HTTP=true for a sandbox)`,
        )
        .join('\n  ')}`,
    );
  }
  return {
    linkedin: { apiUrl: c.LINKEDIN_API_URL.replace(/\/+$/, ''), tokenUrl: c.LINKEDIN_TOKEN_URL },
    taskPolling: {
      intervalMs: c.TASK_POLL_INTERVAL,
      maxIntervalMs: Math.max(c.TASK_POLL_MAX_INTERVAL, c.TASK_POLL_INTERVAL),
    },
    linkedinRequestTimeoutMs: c.LINKEDIN_REQUEST_TIMEOUT,
  };
}

export function readStore(c: z.infer<typeof StoreEnv>): StoreConfig {
  return { databaseUrl: c.DATABASE_URL, dataDir: c.DATA_DIR };
}

export function readWorkerRuntime(c: z.infer<typeof WorkerRuntimeEnv>): WorkerRuntimeConfig {
  return {
    workerMetricsPort: c.WORKER_METRICS_PORT,
    workerMetricsHost: c.WORKER_METRICS_HOST,
    workflowBundle: c.WORKFLOW_BUNDLE,
    driftCheckIntervalMs: c.DRIFT_CHECK_INTERVAL,
    registerSearchAttributes: c.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES,
  };
}

/**
 * LinkedIn is reached over https: the token request carries the client secret. Plain http is for a
 * sandbox: on a loopback host (`npm run dev`, the tests) or when LINKEDIN_ALLOW_HTTP=true says so (the
 * compose demo, whose sandbox is another container).
 */
function acceptableLinkedInUrl(url: string, allowHttp: boolean): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return true;
  if (protocol !== 'http:') return false;
  return allowHttp || isLoopback(hostname);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}
