import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * How to reach Temporal: a local dev server (plain), Temporal Cloud with an API key (TLS on), or a cluster
 * or Temporal Cloud with mTLS certificate files. Shared by the API's client and the worker.
 */
export function temporalConnectionOptions(
  config: Pick<Config['temporal'], 'address' | 'apiKey' | 'tls'>,
): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: config.address };
  if (config.tls) {
    options.tls = {
      clientCertPair: { crt: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
      ...(config.tls.caFile ? { serverRootCACertificate: readFileSync(config.tls.caFile) } : {}),
      ...(config.tls.serverName ? { serverNameOverride: config.tls.serverName } : {}),
    };
  } else if (config.apiKey) {
    options.tls = true;
  }
  if (config.apiKey) options.apiKey = config.apiKey;
  return options;
}
