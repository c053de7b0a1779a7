/**
 * The search attributes the workflows set, checked when a worker starts: without them every resync and drift
 * check fails its first workflow task on `BadSearchAttributes` and stays Running. A namespace that lacks
 * them stops the worker with the commands that add them; a cluster the operator administers may let the
 * worker add them itself (TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true).
 */
import type { NativeConnection } from '@temporalio/worker';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { DEVELOPER_APPLICATION_URN, DRIFT_FOUND, RESYNC_OUTCOME } from './contract';
import { ConfigError, type TemporalConfig, type WorkerRuntimeConfig } from './config';

/** Every search attribute the workflows set (`SEARCH_ATTRIBUTE_NAMES`), with its type. */
const REQUIRED = [DEVELOPER_APPLICATION_URN, RESYNC_OUTCOME, DRIFT_FOUND] as const;

/** How the `temporal` CLI and `tcld` spell a type: KEYWORD is Keyword. */
function typeName(type: SearchAttributeType): string {
  return type
    .split('_')
    .map((part) => part[0] + part.slice(1).toLowerCase())
    .join('');
}

type Log = { info(fields: object, message: string): void; warn(fields: object, message: string): void };

/** gRPC's PERMISSION_DENIED and UNIMPLEMENTED: a key that may not list them, a server without the call. */
const NOT_CHECKABLE = new Set([7, 12]);

/**
 * Resolves when the namespace has every search attribute the workflows need (after adding the missing ones
 * when `register` says so); otherwise throws a ConfigError naming them and the commands that add them.
 */
export async function ensureSearchAttributes(
  connection: Pick<NativeConnection, 'operatorService'>,
  config: Pick<TemporalConfig, 'temporal'> & Pick<WorkerRuntimeConfig, 'registerSearchAttributes'>,
  log: Log,
): Promise<void> {
  const { namespace } = config.temporal;
  let listed;
  try {
    listed = await connection.operatorService.listSearchAttributes({ namespace });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'number' || !NOT_CHECKABLE.has(code)) throw error;
    log.warn(
      { namespace, error: (error as Error).message },
      'could not list the namespace search attributes: not checked',
    );
    return;
  }
  const present: Record<string, number | undefined> = {
    ...listed.customAttributes,
    ...listed.systemAttributes,
  };
  const wrongType = REQUIRED.filter(
    (key) => present[key.name] !== undefined && present[key.name] !== indexedType(key.type),
  );
  if (wrongType.length > 0) {
    throw new ConfigError(
      `Temporal namespace ${namespace}: ${wrongType.map((key) => `search attribute ${key.name} must be of type ${typeName(key.type)}`).join('; ')}. Remove it and add it again with that type.`,
    );
  }
  const missing = REQUIRED.filter((key) => present[key.name] === undefined);
  if (missing.length === 0) return;
  const names = missing.map((key) => key.name).join(', ');
  // TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true: add the missing ones instead of refusing to start.
  if (config.registerSearchAttributes) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedType(key.type)])),
    });
    log.info({ namespace, added: names }, 'registered the search attributes the workflows need');
    return;
  }
  throw new ConfigError(missingMessage(namespace, missing));
}

function indexedType(type: SearchAttributeType): number {
  return encodeSearchAttributeIndexedValueType(type) as number;
}

function missingMessage(namespace: string, missing: ReadonlyArray<(typeof REQUIRED)[number]>): string {
  const cluster = missing.map(
    (key) =>
      `  temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${typeName(key.type)}`,
  );
  const cloud = `  tcld namespace search-attributes add --namespace ${namespace} ${missing
    .map((key) => `--search-attribute "${key.name}=${typeName(key.type)}"`)
    .join(' ')}`;
  return [
    `Temporal namespace ${namespace} lacks the search attributes ${missing.map((key) => key.name).join(', ')}: the worker does not start without them (every resync and drift check would fail on BadSearchAttributes).`,
    'Add them on a cluster:',
    ...cluster,
    'or on Temporal Cloud:',
    cloud,
    'or let the worker add them on a cluster it administers: TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true',
  ].join('\n');
}
