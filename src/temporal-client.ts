import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ClientInterceptors,
} from '@temporalio/client';
import type { TemporalConnectionConfig } from './config';
import { temporalConnectionOptions } from './temporal-connection';
import { serviceDataConverter, type PayloadCompression } from './payload-codec';

/**
 * The API's client (and the CLI's). Its connection is made lazily, so the API starts (and answers 500
 * rather than refusing connections) while Temporal is unreachable. gRPC retries stay short: a webhook start
 * that fails is answered 500 within seconds and LinkedIn delivers again, so no retry should outlive the
 * request.
 */
export function createTemporalClient(
  /** `payloadCompression` (PAYLOAD_COMPRESSION): whether it writes compressed payloads; it reads them always. */
  config: TemporalConnectionConfig & { payloadCompression?: PayloadCompression },
  /** The tracing interceptors when tracing is on (src/observability/tracing-client.ts). */
  interceptors?: ClientInterceptors,
): Client {
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config),
    connectTimeout: 3_000,
    interceptors: [
      makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 1_000 })),
    ],
  });
  return new Client({
    connection,
    namespace: config.namespace,
    dataConverter: serviceDataConverter(config.payloadCompression),
    ...(interceptors ? { interceptors } : {}),
  });
}
