import type { TLSConfig } from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
import { resolveTemporalConnection, type TemporalConnectionConfig } from './config-temporal';

/** What both the API's `Connection` and the worker's `NativeConnection` take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * How to reach Temporal, from the connection Temporal's environment configuration resolved
 * (`config-temporal.ts`): plain for a local dev server, TLS when an API key or any TLS setting asks for it,
 * a client certificate for mTLS, a private CA and server name with or without one. Certificate files are
 * read here, at connect. Shared by the API's client, the worker, the CLI and the tools.
 */
export function temporalConnectionOptions(
  config: Pick<TemporalConnectionConfig, 'address' | 'apiKey' | 'tls' | 'grpcMeta'>,
): TemporalConnectionOptions {
  const { connectionOptions } = toClientOptions({
    address: config.address,
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(config.tls === undefined ? {} : { tls: config.tls }),
  });
  const options: TemporalConnectionOptions = { address: config.address };
  if (connectionOptions.tls) {
    options.tls = connectionOptions.tls === true ? true : withoutUnset(connectionOptions.tls);
  }
  if (config.apiKey !== undefined) options.apiKey = config.apiKey;
  if (config.grpcMeta !== undefined && Object.keys(config.grpcMeta).length > 0) {
    options.metadata = config.grpcMeta;
  }
  return options;
}

/**
 * A dev server this process started itself (the dev launcher's, the benchmarks', the chaos rig's): plain,
 * on the address it was given. The operator's Temporal variables and profiles are for the service's
 * Temporal, never applied to it.
 */
export function devServerConnectionOptions(address: string): TemporalConnectionOptions {
  return temporalConnectionOptions(
    resolveTemporalConnection({ TEMPORAL_ADDRESS: address }, { configFile: false }),
  );
}

function withoutUnset(tls: TLSConfig): TLSConfig {
  return Object.fromEntries(Object.entries(tls).filter(([, value]) => value !== undefined));
}
