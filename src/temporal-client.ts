import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

/**
 * A client whose connection is made lazily: the API starts, and answers 500 rather than refusing
 * connections, while Temporal is unreachable.
 */
export function createTemporalClient(config: Config['temporal']): Client {
  const connection = Connection.lazy({
    address: config.address,
    ...(config.apiKey ? { apiKey: config.apiKey, tls: true } : {}),
    connectTimeout: 3_000,
  });
  return new Client({ connection, namespace: config.namespace });
}
