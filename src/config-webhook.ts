/**
 * The API's part of the configuration: its port and metrics listener, the webhook secrets, the parent
 * application, the admin token and the HTTP limits; and, read by every loader, whether this is
 * development (NODE_ENV=development). Outside development no secret published in this repository, nor one
 * too short, is accepted (src/secret-rules.ts).
 */
import { z } from 'zod';
import {
  ConfigError,
  duration,
  metricsHost,
  metricsPort,
  optionalText,
  type MetricsListener,
} from './config-parts';
import { isDevelopment, secretProblem, type SecretKind } from './secret-rules';

const secretList = z
  .string({
    error: 'LINKEDIN_WEBHOOK_SECRETS is required: the client secrets that sign LinkedIn notifications',
  })
  .transform((text) =>
    text
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret.length > 0),
  )
  .refine((secrets) => secrets.length > 0, { error: 'LINKEDIN_WEBHOOK_SECRETS lists no secret' });

/**
 * CODEC_CORS_ORIGINS: the browser origins whose pages may read the codec server's answers (the Web UI's,
 * such as http://localhost:8233), comma-separated; none when unset.
 */
const originList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const origins = text
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0);
    for (const origin of origins) {
      if (originOf(origin) !== origin) {
        ctx.addIssue({
          code: 'custom',
          message: `"${origin.slice(0, 80)}" is not an origin such as https://temporal.example.com (a scheme and host, a port if not the scheme's, no path)`,
        });
        return z.NEVER;
      }
    }
    return origins;
  });

function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const UNIT_BYTES = { '': 1, KiB: 1024, MiB: 1024 * 1024 } as const;

/** A size in bytes: a whole number (`65536`), or of KiB or MiB (`64KiB`, `1MiB`), within [min, max]. */
const byteSize = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const match = /^(\d{1,10})(KiB|MiB)?$/.exec(text.trim());
      if (!match) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} "${text.slice(0, 40)}" is not a size in bytes such as 65536, 64KiB or 1MiB`,
        });
        return z.NEVER;
      }
      const bytes = Number(match[1]) * UNIT_BYTES[(match[2] ?? '') as keyof typeof UNIT_BYTES];
      if (bytes < min || bytes > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be between ${formatBytes(min)} and ${formatBytes(max)}, not ${formatBytes(bytes)}`,
        });
        return z.NEVER;
      }
      return bytes;
    });

function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 bytes';
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes} bytes`;
}

/** The largest body a notification may have, unless HTTP_MAX_BODY_BYTES says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Request body bytes the API holds at once, over all connections, unless HTTP_BODY_BUDGET_BYTES says otherwise. */
export const DEFAULT_BODY_BUDGET_BYTES = 16 * 1024 * 1024;

/** Development or not (src/secret-rules.ts): every process's loader reads it. */
export const DeploymentEnv = z.object({ NODE_ENV: z.string().optional() });

export const WebhookEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: optionalText,
  API_METRICS_PORT: metricsPort(9465),
  API_METRICS_HOST: metricsHost('API_METRICS_HOST'),
  LINKEDIN_WEBHOOK_SECRETS: secretList,
  LINKEDIN_PARENT_APPLICATION_ID: optionalText.refine((id) => id === undefined || /^\d{1,20}$/.test(id), {
    error:
      'LINKEDIN_PARENT_APPLICATION_ID must be the digits of the parent application (urn:li:developerApplication:{id})',
  }),
  ADMIN_TOKEN: optionalText.refine((token) => token === undefined || token.length >= 16, {
    error: 'ADMIN_TOKEN must be at least 16 characters',
  }),
  HTTP_HEADERS_TIMEOUT: duration('10s'),
  HTTP_REQUEST_TIMEOUT: duration('30s'),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1024),
  // A notification is a few hundred bytes; a list of 800 ids of 75 characters fits in 64 KiB.
  HTTP_MAX_BODY_BYTES: byteSize('HTTP_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 16 * 1024 * 1024),
  HTTP_BODY_BUDGET_BYTES: byteSize('HTTP_BODY_BUDGET_BYTES', DEFAULT_BODY_BUDGET_BYTES, 1024, 1024 ** 3),
  CODEC_CORS_ORIGINS: originList,
});

export interface DeploymentConfig {
  /** NODE_ENV=development: the published demo and dev secrets are accepted (src/secret-rules.ts). */
  development: boolean;
}

export interface WebhookConfig {
  port: number;
  /** Where the webhook listens (HOST): every interface when unset; `npm run dev` makes it 127.0.0.1. */
  host: string | undefined;
  /** The API's `/metrics`, apart from the public port; its codec server (`/codec`) too. */
  apiMetrics: MetricsListener;
  /** Browser origins that may read the codec server's answers (CODEC_CORS_ORIGINS). */
  codecCorsOrigins: string[];
  webhookSecrets: string[];
  /**
   * The parent application's id: a challenge naming it is answered with the first webhook secret.
   * Required outside development (docs/security.md, "the challenge").
   */
  parentApplicationId: string | undefined;
  /** Bearer token of the status endpoints (`/resyncs`); unset, they are not served. */
  adminToken: string | undefined;
  /**
   * Limits of the API's HTTP server: a slow or idle client cannot hold a connection for long, a body is at
   * most `maxBodyBytes`, and the bodies being read and handled hold at most `bodyBudgetBytes` together.
   */
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    maxConnections: number;
    maxBodyBytes: number;
    bodyBudgetBytes: number;
  };
}

export function readDeployment(c: z.infer<typeof DeploymentEnv>): DeploymentConfig {
  return { development: isDevelopment(c.NODE_ENV) };
}

export function readWebhook(c: z.infer<typeof WebhookEnv> & z.infer<typeof DeploymentEnv>): WebhookConfig {
  if (c.HTTP_BODY_BUDGET_BYTES < c.HTTP_MAX_BODY_BYTES) {
    throw new ConfigError(
      `invalid configuration:\n  HTTP_BODY_BUDGET_BYTES (${formatBytes(c.HTTP_BODY_BUDGET_BYTES)}) must be at least HTTP_MAX_BODY_BYTES (${formatBytes(c.HTTP_MAX_BODY_BYTES)}): a body of the largest size could never be read`,
    );
  }
  if (!isDevelopment(c.NODE_ENV)) {
    const problems = productionProblems(c);
    if (problems.length > 0) {
      throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
    }
  }
  return {
    port: c.PORT,
    host: c.HOST,
    apiMetrics: { host: c.API_METRICS_HOST, port: c.API_METRICS_PORT },
    codecCorsOrigins: c.CODEC_CORS_ORIGINS,
    webhookSecrets: c.LINKEDIN_WEBHOOK_SECRETS,
    parentApplicationId: c.LINKEDIN_PARENT_APPLICATION_ID,
    adminToken: c.ADMIN_TOKEN,
    http: {
      // Node refuses a headers timeout above the request timeout.
      headersTimeoutMs: Math.min(c.HTTP_HEADERS_TIMEOUT, c.HTTP_REQUEST_TIMEOUT),
      requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT,
      maxConnections: c.HTTP_MAX_CONNECTIONS,
      maxBodyBytes: c.HTTP_MAX_BODY_BYTES,
      bodyBudgetBytes: c.HTTP_BODY_BUDGET_BYTES,
    },
  };
}

/**
 * What a production API may not start with: a secret published in this repository or too short, named by
 * its variable (and its place in a list), never quoted; and no parent application id to answer
 * LinkedIn's challenges without telling customers from strangers.
 */
function productionProblems(c: z.infer<typeof WebhookEnv>): string[] {
  const problems: string[] = [];
  const check = (name: string, secret: string, kind: SecretKind, fix: string) => {
    const problem = secretProblem(secret, kind);
    if (problem !== undefined) problems.push(`${name} ${problem}; ${fix}`);
  };
  const secrets = c.LINKEDIN_WEBHOOK_SECRETS;
  secrets.forEach((secret, index) =>
    check(
      secrets.length === 1
        ? 'LINKEDIN_WEBHOOK_SECRETS'
        : `LINKEDIN_WEBHOOK_SECRETS (secret ${index + 1} of ${secrets.length})`,
      secret,
      'linkedin',
      'give the client secret LinkedIn issued the parent application (for a sandbox: openssl rand -hex 32)',
    ),
  );
  if (c.ADMIN_TOKEN !== undefined) {
    check('ADMIN_TOKEN', c.ADMIN_TOKEN, 'generated', 'make one with: openssl rand -hex 32');
  }
  if (c.LINKEDIN_PARENT_APPLICATION_ID === undefined) {
    problems.push(
      "LINKEDIN_PARENT_APPLICATION_ID is required outside development: the parent application's id, whose challenges the first webhook secret answers",
    );
  }
  return problems;
}
