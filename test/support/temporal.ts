import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { resolveTemporalConnection } from '../../src/config-temporal';
import { createTemporalClient } from '../../src/temporal-client';
import type { PayloadCompression } from '../../src/payload-codec';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';

let runtimeInstalled = false;

/** Keeps the SDK's own logs to errors so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Already installed in this process by an earlier test file.
  }
}

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address)
    throw new Error('TEMPORAL_TEST_ADDRESS is unset: the Jest global setup starts the dev server');
  return address;
}

export function workflowBundle(): { codePath: string } {
  const codePath = process.env.WORKFLOW_BUNDLE_PATH;
  if (!codePath)
    throw new Error('WORKFLOW_BUNDLE_PATH is unset: the Jest global setup bundles the workflows');
  return { codePath };
}

/** The client the API uses in production, pointed at the test server. */
export function testClient(address = temporalAddress(), payloadCompression?: PayloadCompression): Client {
  return createTemporalClient({
    ...resolveTemporalConnection({ TEMPORAL_ADDRESS: address }, { configFile: false }),
    ...(payloadCompression === undefined ? {} : { payloadCompression }),
  });
}

export async function testNativeConnection(address = temporalAddress()): Promise<NativeConnection> {
  quietRuntime();
  return NativeConnection.connect({ address });
}

/** A task queue of its own per test, so no test's worker picks up another's work. */
export function uniqueTaskQueue(name: string): string {
  return `${name}-${randomUUID()}`;
}
