import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from '../src/config';
import { DEVELOPER_APPLICATION_URN, RESYNC_OUTCOME, SEARCH_ATTRIBUTE_NAMES } from '../src/contract';
import { ensureSearchAttributes } from '../src/search-attributes';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { freePort } from '../tools/dev/ports';
import {
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../tools/dev/temporal-dev-server';
import { until } from './support/eventually';
import { quietRuntime, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { ServiceProcesses } from './support/typescript-child';

/**
 * The worker checks the namespace's search attributes when it starts. A dev server of its own, started
 * without them (as a new cluster or Cloud namespace is), plays the namespace an operator forgot to prepare.
 */
const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'search-attributes-'));
const KEYWORD = encodeSearchAttributeIndexedValueType('KEYWORD')!;
let server: TemporalDevServer;
let connection: NativeConnection;
const processes = new ServiceProcesses();

beforeAll(async () => {
  quietRuntime();
  server = await startTemporalDevServer({
    cliPath: resolveTemporalCli(ROOT, process.env),
    searchAttributes: false,
    startTimeoutMs: 90_000,
  });
  connection = await NativeConnection.connect({ address: server.address });
}, 120_000);

afterAll(async () => {
  await processes.killAll();
  await connection?.close();
  await server?.stop();
});

async function customAttributes(): Promise<string[]> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  return Object.keys(listed.customAttributes ?? {});
}

/** `node src/worker.ts` as production runs `node dist/worker.js`, with only the environment given. */
const startWorker = (env: Record<string, string>) =>
  processes.start('worker', join(ROOT, 'src', 'worker.ts'), env);

async function workerEnv(): Promise<Record<string, string>> {
  return {
    TEMPORAL_ADDRESS: server.address,
    TASK_QUEUE: uniqueTaskQueue('search-attributes'),
    DATA_DIR: mkdtempSync(join(dir, 'data-')),
    WORKER_METRICS_PORT: String(await freePort()),
    WORKFLOW_BUNDLE: workflowBundle().codePath,
    LOG_LEVEL: 'info',
  };
}

test('a namespace without them: the worker refuses to start, naming them and the commands that add them', async () => {
  expect(await customAttributes()).not.toContain('DriftFound');
  const worker = startWorker(await workerEnv());
  expect(await worker.exited).toBe(1);
  const output = worker.output();
  expect(output).toContain(
    'Temporal namespace default lacks the search attributes DeveloperApplicationUrn, ResyncOutcome, DriftFound',
  );
  for (const name of SEARCH_ATTRIBUTE_NAMES) {
    expect(output).toContain(
      `temporal operator search-attribute create --namespace default --name ${name} --type Keyword`,
    );
  }
  expect(output).toContain(
    'tcld namespace search-attributes add --namespace default --search-attribute "DeveloperApplicationUrn=Keyword" --search-attribute "ResyncOutcome=Keyword" --search-attribute "DriftFound=Keyword"',
  );
  expect(output).toContain('TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true');
  expect(output).not.toContain('worker started');
  // It added nothing by itself.
  expect(await customAttributes()).not.toContain('DriftFound');
}, 120_000);

test('the message names only what is missing: two registered as the former production guide did', async () => {
  await connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: { [DEVELOPER_APPLICATION_URN.name]: KEYWORD, [RESYNC_OUTCOME.name]: KEYWORD },
  });
  await until(async () => (await customAttributes()).includes('ResyncOutcome'), 'the two are listed');
  const config = loadWorkerConfig({ TEMPORAL_ADDRESS: server.address });
  const log = { info: jest.fn(), warn: jest.fn() };
  const refused = await ensureSearchAttributes(connection, config, log).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(ConfigError);
  const message = (refused as Error).message;
  expect(message).toContain('lacks the search attributes DriftFound:');
  expect(message).toContain('--name DriftFound --type Keyword');
  expect(message).not.toContain('--name ResyncOutcome');
  expect(message).toContain(
    'tcld namespace search-attributes add --namespace default --search-attribute "DriftFound=Keyword"\n',
  );
  expect(log.info).not.toHaveBeenCalled();
}, 60_000);

test('with TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true the worker adds what is missing and starts', async () => {
  const worker = startWorker({ ...(await workerEnv()), TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'true' });
  try {
    await processes.waitForOutput(worker, 'worker started', 90_000);
  } finally {
    worker.child.kill('SIGTERM');
  }
  expect(worker.output()).toContain('registered the search attributes the workflows need');
  expect(worker.output()).toMatch(/"added":"DriftFound"/);
  expect(await customAttributes()).toEqual(expect.arrayContaining([...SEARCH_ATTRIBUTE_NAMES]));
  expect(await worker.exited).toBe(0);
}, 120_000);
