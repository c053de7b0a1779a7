/**
 * The Temporal part of the configuration: Temporal's own environment configuration (`@temporalio/envconfig`:
 * the `TEMPORAL_*` variables and the TOML profiles the `temporal` CLI shares), read once at a process's start
 * and checked, so a contradictory or unreadable setting is a sentence at start rather than a TLS error later.
 * The project's older names for the TLS files stay accepted as deprecated aliases.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { z } from 'zod';
import { fromTomlProfile, type ClientConfigProfile, type ClientConfigTLS } from '@temporalio/envconfig';
// Internal to the package, with no public equivalent: the merged profile before conversion still holds
// `disable_host_verification`, which the TypeScript SDK cannot honour and so must be refused, not dropped.
import { tomlLoadClientConfigProfile } from '@temporalio/envconfig/lib/envconfig-toml';
import { DEFAULT_TASK_QUEUE } from './contract';
import { ConfigError } from './config-parts';
import { withSecretFiles } from './config-files';
import { PAYLOAD_COMPRESSIONS, type PayloadCompression } from './payload-codec';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** What zod reads of the Temporal part; the connection itself is read by `resolveTemporalConnection`. */
export const TemporalEnv = z.object({
  TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  // Every payload codec of the service decodes `binary/zlib`; this says whether it also writes it.
  PAYLOAD_COMPRESSION: z.enum(PAYLOAD_COMPRESSIONS).default('off'),
});

/** How to reach Temporal, as Temporal's environment configuration resolves it (see temporal-connection.ts). */
export interface TemporalConnectionConfig {
  address: string;
  namespace: string;
  apiKey: string | undefined;
  /** Undefined: no TLS unless an API key turns it on; `disabled: true`: off. Files are named, read at connect. */
  tls: ClientConfigTLS | undefined;
  /** gRPC metadata sent on every call (`TEMPORAL_GRPC_META_*`, a profile's `grpc_meta`). */
  grpcMeta: Record<string, string> | undefined;
}

export interface TemporalConfig {
  temporal: TemporalConnectionConfig & { taskQueue: string; payloadCompression: PayloadCompression };
}

/** The project's names before Temporal's environment configuration, and the names they stand for. */
const DEPRECATED_NAMES = [
  ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT'],
  ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY'],
  ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_CA_CERT'],
] as const;

const FILE_SETTINGS = [
  ['TEMPORAL_TLS_CLIENT_CERT', 'clientCert', 'client certificate'],
  ['TEMPORAL_TLS_CLIENT_KEY', 'clientKey', 'client key'],
  ['TEMPORAL_TLS_SERVER_CA_CERT', 'serverCACert', "server's CA certificate"],
] as const;

const CONNECTION_VARIABLE =
  /^TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|API_KEY_FILE|PROFILE|CONFIG_FILE|TLS|TLS_.+|GRPC_META_.+|CODEC_.+)$/;

/** A variable of Temporal's connection (or one of the deprecated aliases), as opposed to TEMPORAL_CLI or _UI_URL. */
export function isTemporalConnectionVariable(name: string): boolean {
  return CONNECTION_VARIABLE.test(name);
}

export interface ResolveTemporalOptions {
  /** Read the TOML file (TEMPORAL_CONFIG_FILE, else the user's temporal.toml); false: the variables only. */
  configFile?: boolean;
  /** Where the one-line deprecation warning goes. */
  warn?: (line: string) => void;
}

const warned = new Set<string>();

/**
 * Resolves the connection as the `temporal` CLI would (variables over the TOML profile named by
 * TEMPORAL_PROFILE, else `default`), with this project's defaults when nothing is set, and refuses what
 * cannot be meant: a setting given twice in different ways, a certificate without its key, TLS turned off
 * beside TLS files, a file that cannot be read.
 */
export function resolveTemporalConnection(
  env: Record<string, string | undefined>,
  options: ResolveTemporalOptions = {},
): TemporalConnectionConfig {
  const problems: string[] = [];
  const vars = connectionVariables(env, options.configFile ?? true);
  const renamed = applyDeprecatedNames(vars, problems);
  for (const name of ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION']) {
    if (vars[name] !== undefined && !/^(true|false|1|0)$/.test(vars[name])) {
      problems.push(`${name} must be true or false`);
    }
  }
  for (const [name, , what] of FILE_SETTINGS) {
    if (vars[`${name}_PATH`] !== undefined && vars[`${name}_DATA`] !== undefined) {
      problems.push(`${name}_PATH and ${name}_DATA both give the ${what}: set one`);
    }
  }
  failOn(problems);
  if (renamed.length > 0) {
    const line = `warning: ${renamed.map(([old, now]) => `${old} is deprecated, use ${now}`).join('; ')} (Temporal's names: docs/configuration.md)`;
    if (!warned.has(line)) {
      warned.add(line);
      (options.warn ?? console.warn)(line);
    }
  }
  const profile = loadProfile(vars, options.configFile ?? true, problems);
  failOn(problems);
  checkTls(profile.tls, problems);
  failOn(problems);
  return {
    address: profile.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: profile.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    apiKey: profile.apiKey,
    tls: profile.tls,
    grpcMeta: profile.grpcMeta,
  };
}

export function readTemporal(
  c: z.infer<typeof TemporalEnv>,
  env: Record<string, string | undefined>,
  options: ResolveTemporalOptions = {},
): TemporalConfig {
  // The API key may come from a file (TEMPORAL_API_KEY_FILE, Docker secrets), as the other secrets do.
  const resolved = withSecretFiles(env, ['TEMPORAL_API_KEY']);
  return {
    temporal: {
      ...resolveTemporalConnection(resolved, options),
      taskQueue: c.TASK_QUEUE,
      payloadCompression: c.PAYLOAD_COMPRESSION,
    },
  };
}

function failOn(problems: string[]): void {
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

/**
 * Temporal's variables, trimmed, blank ones unset (as every other variable here); an empty
 * TEMPORAL_GRPC_META_* keeps its meaning (it removes that header from the profile). With the file, what
 * finds the user's default temporal.toml.
 */
function connectionVariables(
  env: Record<string, string | undefined>,
  configFile: boolean,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isTemporalConnectionVariable(name)) {
      const text = value.trim();
      if (text !== '' || name.startsWith('TEMPORAL_GRPC_META_')) vars[name] = text;
    } else if (configFile && ['HOME', 'XDG_CONFIG_HOME', 'APPDATA'].includes(name)) {
      vars[name] = value;
    }
  }
  return vars;
}

/** Moves each deprecated name to Temporal's `_PATH` name; refuses one that contradicts the new name. */
function applyDeprecatedNames(vars: Record<string, string>, problems: string[]): Array<[string, string]> {
  const renamed: Array<[string, string]> = [];
  for (const [old, name] of DEPRECATED_NAMES) {
    const value = vars[old];
    if (value === undefined) continue;
    delete vars[old];
    const path = `${name}_PATH`;
    renamed.push([old, path]);
    if (vars[`${name}_DATA`] !== undefined) {
      problems.push(`${old} (deprecated) and ${name}_DATA both give the same file: keep ${name}_DATA`);
    } else if (vars[path] !== undefined && vars[path] !== value) {
      problems.push(`${old} (deprecated) and ${path} name different files: keep ${path} only`);
    } else {
      vars[path] = value;
    }
  }
  return renamed;
}

function loadProfile(
  vars: Record<string, string>,
  configFile: boolean,
  problems: string[],
): ClientConfigProfile {
  const file = vars.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml (~/.config/temporalio/temporal.toml)';
  const where = `Temporal profile ${vars.TEMPORAL_PROFILE ?? 'default'} in ${file}`;
  // Temporal's loader passes over a file that is not there; one named on purpose is a typo to report.
  if (configFile && vars.TEMPORAL_CONFIG_FILE !== undefined && !existsSync(vars.TEMPORAL_CONFIG_FILE)) {
    problems.push(`TEMPORAL_CONFIG_FILE (${vars.TEMPORAL_CONFIG_FILE}) is not a file that exists`);
    return {};
  }
  try {
    const raw = tomlLoadClientConfigProfile({ overrideEnvVars: vars, disableFile: !configFile });
    if (raw.tls?.disable_host_verification === true) {
      problems.push(
        "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION (tls.disable_host_verification) is not supported: the TypeScript SDK always checks the server's name; set TEMPORAL_TLS_SERVER_NAME (tls.server_name) to the name its certificate carries",
      );
    }
    return fromTomlProfile(raw);
  } catch (error) {
    const message = error instanceof TypeError ? 'the file has no [profile.<name>] table' : String(error);
    problems.push(`${where}: ${message.replace(/^Error: /, '')}`);
    return {};
  }
}

function checkTls(tls: ClientConfigTLS | undefined, problems: string[]): void {
  if (!tls) return;
  if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    problems.push(
      'a client certificate goes with its key: TEMPORAL_TLS_CLIENT_CERT_PATH (or _DATA) and TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA), tls.client_cert_* and tls.client_key_* in a profile',
    );
  }
  const given = [
    ...FILE_SETTINGS.filter(([, key]) => tls[key] !== undefined).map(([name]) => `${name}_*`),
    ...(tls.serverName === undefined ? [] : ['TEMPORAL_TLS_SERVER_NAME']),
  ];
  if (tls.disabled === true && given.length > 0) {
    problems.push(
      `TLS is turned off (TEMPORAL_TLS=false or tls.disabled = true) yet ${given.join(', ')} is set: turn TLS on or remove them`,
    );
  }
  for (const [name, key, what] of FILE_SETTINGS) {
    const source = tls[key];
    if (source === undefined || !('path' in source)) continue;
    try {
      accessSync(source.path, constants.R_OK);
    } catch (error) {
      problems.push(
        `${name}_PATH: the ${what} ${source.path} cannot be read (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
}
