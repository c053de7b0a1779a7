/**
 * Configuration, parsed once at each composition root: one loader a process, composed from the parts in
 * config-parts.ts and config-webhook.ts, so a process reads only the variables it uses and fails at start naming every bad one.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  CliEnv,
  ConfigError,
  LinkedInEnv,
  LogEnv,
  readLinkedIn,
  readLog,
  readResyncStart,
  readStore,
  readWorkerRuntime,
  ResyncStartEnv,
  StoreEnv,
  WorkerRuntimeEnv,
  type LinkedInConfig,
  type LogConfig,
  type ResyncStartConfig,
  type StoreConfig,
  type WorkerRuntimeConfig,
} from './config-parts';
import { SECRET_FILE_VARIABLES, withSecretFiles } from './config-files';
import {
  readTemporal,
  TemporalEnv,
  type ResolveTemporalOptions,
  type TemporalConfig,
} from './config-temporal';
import {
  DeploymentEnv,
  readDeployment,
  readWebhook,
  WebhookEnv,
  type DeploymentConfig,
  type WebhookConfig,
} from './config-webhook';

export { ConfigError } from './config-parts';
export type {
  LinkedInConfig,
  MetricsListener,
  LogConfig,
  ResyncStartConfig,
  StoreConfig,
  WorkerRuntimeConfig,
} from './config-parts';
export type { TemporalConfig, TemporalConnectionConfig } from './config-temporal';
export type { DeploymentConfig, WebhookConfig } from './config-webhook';

export type ApiConfig = LogConfig &
  TemporalConfig &
  ResyncStartConfig &
  WebhookConfig &
  StoreConfig &
  DeploymentConfig;
/** The worker keeps each application's drift schedule, whose checks start resyncs: it knows their terms. */
export type WorkerConfig = LogConfig &
  TemporalConfig &
  ResyncStartConfig &
  LinkedInConfig &
  StoreConfig &
  WorkerRuntimeConfig;
export type SeedConfig = LogConfig & StoreConfig & DeploymentConfig;
export type CliConfig = TemporalConfig & ResyncStartConfig & { webUiUrl: string };
/** Every part: a process that runs the API and the worker together (`npm run dev`, the tests). */
export type Config = ApiConfig & WorkerConfig;

function parse<T extends z.ZodRawShape>(shape: T, env: Record<string, string | undefined>) {
  // A secret this process reads may come from a file instead (LINKEDIN_WEBHOOK_SECRETS_FILE…).
  const secretFiles = SECRET_FILE_VARIABLES.filter((name) => name in shape);
  const parsed = z.object(shape).safeParse(withSecretFiles(env, secretFiles));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

// ---- one loader a process: it parses only what that process reads, and fails with every problem named ----

export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  const c = parse(
    {
      ...LogEnv.shape,
      ...TemporalEnv.shape,
      ...ResyncStartEnv.shape,
      ...WebhookEnv.shape,
      ...StoreEnv.shape,
      ...DeploymentEnv.shape,
    },
    env,
  );
  return {
    ...readLog(c),
    ...readTemporal(c, env),
    ...readResyncStart(c),
    ...readWebhook(c),
    ...readStore(c),
    ...readDeployment(c),
  };
}

export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const c = parse(
    {
      ...LogEnv.shape,
      ...TemporalEnv.shape,
      ...ResyncStartEnv.shape,
      ...LinkedInEnv.shape,
      ...StoreEnv.shape,
      ...WorkerRuntimeEnv.shape,
    },
    env,
  );
  return {
    ...readLog(c),
    ...readTemporal(c, env),
    ...readResyncStart(c),
    ...readLinkedIn(c),
    ...readStore(c),
    ...readWorkerRuntime(c),
  };
}

export function loadSeedConfig(env: Record<string, string | undefined>): SeedConfig {
  const c = parse({ ...LogEnv.shape, ...StoreEnv.shape, ...DeploymentEnv.shape }, env);
  return { ...readLog(c), ...readStore(c), ...readDeployment(c) };
}

/** `start`, `watch` and `list`: Temporal and the terms of a resync; `send` signs with --secret. */
export function loadCliConfig(env: Record<string, string | undefined>): CliConfig {
  const c = parse({ ...TemporalEnv.shape, ...ResyncStartEnv.shape, ...CliEnv.shape }, env);
  return {
    ...readTemporal(c, env),
    ...readResyncStart(c),
    webUiUrl: c.TEMPORAL_UI_URL.replace(/\/+$/, ''),
  };
}

/**
 * Every part at once, for a process that is the API and the worker together. `temporal` says how
 * Temporal's own configuration is read (the dev launcher's own dev server reads no profile).
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  options: { temporal?: ResolveTemporalOptions } = {},
): Config {
  const c = parse(
    {
      ...LogEnv.shape,
      ...TemporalEnv.shape,
      ...ResyncStartEnv.shape,
      ...WebhookEnv.shape,
      ...LinkedInEnv.shape,
      ...StoreEnv.shape,
      ...WorkerRuntimeEnv.shape,
      ...DeploymentEnv.shape,
    },
    env,
  );
  return {
    ...readLog(c),
    ...readTemporal(c, env, options.temporal),
    ...readResyncStart(c),
    ...readWebhook(c),
    ...readLinkedIn(c),
    ...readStore(c),
    ...readWorkerRuntime(c),
    ...readDeployment(c),
  };
}

/** `host:port` as a socket address, IPv6 hosts in brackets. */
export function socketAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
