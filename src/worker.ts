import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { openJobStore } from './ats/open-job-store';
import { loadConfig } from './config';
import { LinkedInClient } from './linkedin/client';
import { TokenCache } from './linkedin/token-cache';
import { createLogger } from './logger';

export interface ResyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker that runs `resyncJobs` and its activities. */
export async function createResyncWorker(options: ResyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities(options.deps),
  });
}

/** HTTP exchanges with LinkedIn; a hung connection must not hold a batch for long. */
export const LINKEDIN_REQUEST_TIMEOUT_MS = 30_000;

export function linkedInDeps(config: {
  apiUrl: string;
  tokenUrl: string;
}): Pick<ActivityDeps, 'linkedin' | 'tokens'> {
  const linkedin = new LinkedInClient({ ...config, requestTimeoutMs: LINKEDIN_REQUEST_TIMEOUT_MS });
  return { linkedin, tokens: new TokenCache({ client: linkedin }) };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  const jobStore = await openJobStore(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createResyncWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: { jobStore, ...linkedInDeps(config.linkedin) },
    });
    logger.info({ taskQueue: config.temporal.taskQueue }, 'worker started');
    await worker.run();
  } finally {
    await connection.close();
    await jobStore.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
