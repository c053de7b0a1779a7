/**
 * What `npm run dev` reads, parsed once: the service's whole configuration with the launcher's defaults
 * (its own Temporal dev server, the sandbox as LinkedIn, a dev webhook secret) and its own settings. It is
 * development by construction (NODE_ENV=development, whatever the shell says): the published dev and demo
 * secrets are accepted here and nowhere else (src/secret-rules.ts).
 */
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../../src/config';
import { isTemporalConnectionVariable } from '../../src/config-temporal';
import { DEV_WEBHOOK_SECRET } from '../../src/secret-rules';
import { withSecretFiles } from '../../src/config-files';

export { DEV_WEBHOOK_SECRET };

const unsetWhenBlank = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

const DevEnv = z.object({
  SANDBOX_PORT: port(3001),
  TEMPORAL_DEV_SERVER_PORT: port(7233),
  TEMPORAL_DEV_UI_PORT: port(8233),
  HOST: unsetWhenBlank,
  TEMPORAL_ADDRESS: unsetWhenBlank,
  TEMPORAL_PROFILE: unsetWhenBlank,
  TEMPORAL_CONFIG_FILE: unsetWhenBlank,
  TEMPORAL_CLI: unsetWhenBlank,
  LINKEDIN_API_URL: unsetWhenBlank,
  LINKEDIN_TOKEN_URL: unsetWhenBlank,
  LINKEDIN_WEBHOOK_SECRETS: unsetWhenBlank,
  DRIFT_CHECK_INTERVAL: unsetWhenBlank,
});

export interface DevConfig {
  service: Config;
  /**
   * Start the Temporal dev server (gRPC 7233, Web UI 8233): no TEMPORAL_ADDRESS, TEMPORAL_PROFILE or
   * TEMPORAL_CONFIG_FILE names another. The launcher's own server is reached plainly: Temporal variables set
   * for another Temporal are left aside (`ignoredTemporalVariables`), and no profile is read.
   */
  startTemporal: boolean;
  ignoredTemporalVariables: string[];
  /** The Temporal CLI named by TEMPORAL_CLI, else the one `scripts/setup.mjs` chose. */
  temporalCli: string | undefined;
  /** Where the sandbox listens when it plays LinkedIn; undefined when LinkedIn's endpoints are set. */
  sandboxPort: number | undefined;
  /** The dev server's gRPC and Web UI ports (TEMPORAL_DEV_SERVER_PORT, TEMPORAL_DEV_UI_PORT). */
  temporalPort: number;
  temporalUiPort: number;
}

export function loadDevConfig(given: Record<string, string | undefined>): DevConfig {
  // LINKEDIN_WEBHOOK_SECRETS_FILE and the like are read before the dev secret fills a gap.
  const env = withSecretFiles(given);
  const parsed = DevEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const dev = parsed.data;
  const useSandbox = dev.LINKEDIN_API_URL === undefined && dev.LINKEDIN_TOKEN_URL === undefined;
  const startTemporal = [dev.TEMPORAL_ADDRESS, dev.TEMPORAL_PROFILE, dev.TEMPORAL_CONFIG_FILE].every(
    (value) => value === undefined,
  );
  const ignoredTemporalVariables = startTemporal
    ? Object.keys(env).filter((name) => isTemporalConnectionVariable(name) && env[name]?.trim())
    : [];
  const serviceEnv = startTemporal
    ? Object.fromEntries(Object.entries(env).filter(([name]) => !isTemporalConnectionVariable(name)))
    : env;
  const service = loadConfig(
    {
      ...serviceEnv,
      NODE_ENV: 'development',
      // On this machine only, unless HOST says otherwise: the dev secret is published.
      HOST: dev.HOST ?? '127.0.0.1',
      LINKEDIN_WEBHOOK_SECRETS: dev.LINKEDIN_WEBHOOK_SECRETS ?? DEV_WEBHOOK_SECRET,
      // Short in dev, so a drift is found and repaired within a minute of starting.
      DRIFT_CHECK_INTERVAL: dev.DRIFT_CHECK_INTERVAL ?? '30s',
      // The dev server's Web UI reads compressed payloads through the API's codec server.
      ...(startTemporal && env.CODEC_CORS_ORIGINS === undefined
        ? { CODEC_CORS_ORIGINS: `http://localhost:${dev.TEMPORAL_DEV_UI_PORT}` }
        : {}),
      ...(useSandbox
        ? {
            LINKEDIN_API_URL: `http://127.0.0.1:${dev.SANDBOX_PORT}`,
            LINKEDIN_TOKEN_URL: `http://127.0.0.1:${dev.SANDBOX_PORT}/oauth/v2/accessToken`,
          }
        : {}),
    },
    { temporal: { configFile: !startTemporal } },
  );
  if (service.databaseUrl) {
    throw new ConfigError(
      'invalid configuration:\n  npm run dev uses the embedded job store: unset DATABASE_URL',
    );
  }
  return {
    service,
    startTemporal,
    ignoredTemporalVariables,
    temporalCli: dev.TEMPORAL_CLI,
    sandboxPort: useSandbox ? dev.SANDBOX_PORT : undefined,
    temporalPort: dev.TEMPORAL_DEV_SERVER_PORT,
    temporalUiPort: dev.TEMPORAL_DEV_UI_PORT,
  };
}
