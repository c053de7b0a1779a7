/**
 * What every scenario runs against: the production path on one machine. A Temporal dev server on a SQLite
 * file (stopped and started again keeping its state), a throwaway PostgreSQL as the ATS job store the API
 * and worker processes share, the LinkedIn sandbox over HTTP in this process (its record of calls is the
 * judge), and the built API and worker as child processes.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { openJobStore } from '../../src/ats/open-job-store';
import type { JobStore } from '../../src/ats/job-store';
import { DEVELOPER_APPLICATION_URN, WORKFLOW_TYPE } from '../../src/contract';
import { startPostgresCluster, type PostgresCluster } from '../dev/postgres-cluster';
import { freePort } from '../dev/ports';
import { startTemporalDevServer, type TemporalDevServer } from '../dev/temporal-dev-server';
import { startLinkedInSandbox, type LinkedInSandbox } from '../sandbox/linkedin-sandbox';
import { ServiceProcess } from './service-process';
import { devServerConnectionOptions } from '../../src/temporal-connection';

/** Made for the run, as an operator makes one: the built API takes no secret published in the repository. */
export const WEBHOOK_SECRET = randomBytes(32).toString('hex');
/** The parent application whose challenges the first webhook secret answers (required outside development). */
const PARENT_APPLICATION_ID = '1';
/** LinkedIn's tasks end this long after a call; the worker polls them often, so resyncs end soon. */
export const TASK_COMPLETION_MS = 500;

export interface RigOptions {
  root: string;
  runDir: string;
  temporalCli: string;
  /** An existing PostgreSQL; a throwaway one is started when absent. */
  databaseUrl: string | undefined;
}

/** A build of the service: this checkout's dist/, or a previous release's. */
export interface ServiceBuild {
  label: string;
  /** The directory holding worker.js and api/main.js. */
  distDir: string;
  /** Where the processes run (their node_modules resolve from here). */
  cwd: string;
}

export class Rig {
  temporal!: TemporalDevServer;
  client!: Client;
  store!: JobStore;
  sandbox!: LinkedInSandbox;
  databaseUrl = '';
  apiPort = 0;
  worker: ServiceProcess | undefined;
  api: ServiceProcess | undefined;
  private workerBuild = '';
  private apiBuild = '';
  readonly taskQueue = `chaos-${Date.now().toString(36)}`;
  readonly workflowIdPrefix = `chaos${Date.now().toString(36)}-`;
  private postgres: PostgresCluster | undefined;
  private temporalPort = 0;
  private launches = 0;
  private readonly stops: Array<() => Promise<unknown>> = [];

  constructor(readonly options: RigOptions) {}

  async start(current: ServiceBuild): Promise<void> {
    this.temporalPort = await freePort();
    await this.startTemporal();
    this.stops.push(() => this.temporal.stop());
    if (this.options.databaseUrl === undefined) {
      this.postgres = await startPostgresCluster({ startTimeoutMs: 90_000 });
      this.stops.push(() => this.postgres!.stop());
    }
    this.databaseUrl = this.options.databaseUrl ?? this.postgres!.url;
    this.store = await openJobStore({ databaseUrl: this.databaseUrl, dataDir: this.options.runDir });
    this.stops.push(() => this.store.close());
    this.sandbox = await startLinkedInSandbox({ taskCompletionMs: TASK_COMPLETION_MS });
    this.stops.push(() => this.sandbox.close());
    const connection = await Connection.connect(devServerConnectionOptions(this.temporal.address));
    this.stops.push(() => connection.close());
    this.client = new Client({ connection });
    this.apiPort = await freePort();
    await this.startWorker(current);
    await this.startApi(current);
  }

  /** Stops everything this rig started, the last started first. */
  async close(): Promise<void> {
    await Promise.all([this.worker?.kill(), this.api?.kill()]);
    for (const stop of this.stops.splice(0).reverse()) await stop().catch(() => undefined);
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      cliPath: this.options.temporalCli,
      port: this.temporalPort,
      dbFilename: join(this.options.runDir, 'temporal.db'),
      startTimeoutMs: 90_000,
    });
  }

  /** Stops the dev server (SIGTERM); its SQLite file keeps every workflow for `startTemporal`. */
  async stopTemporal(): Promise<void> {
    await this.temporal.stop();
  }

  private common(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.temporal.address,
      DATABASE_URL: this.databaseUrl,
      TASK_QUEUE: this.taskQueue,
      WORKFLOW_ID_PREFIX: this.workflowIdPrefix,
      LOG_LEVEL: 'info',
      // A release that reads one configuration for every process needs the webhook's secret too.
      LINKEDIN_WEBHOOK_SECRETS: WEBHOOK_SECRET,
    };
  }

  async startWorker(build: ServiceBuild): Promise<ServiceProcess> {
    const worker = new ServiceProcess({
      name: `worker-${++this.launches}-${build.label}`,
      script: join(build.distDir, 'worker.js'),
      cwd: build.cwd,
      logDir: this.options.runDir,
      env: {
        ...this.common(),
        LINKEDIN_API_URL: this.sandbox.apiUrl,
        LINKEDIN_TOKEN_URL: this.sandbox.tokenUrl,
        TASK_POLL_INTERVAL: '200ms',
        TASK_POLL_MAX_INTERVAL: '1s',
        // A hung LinkedIn call is given up after this (30 s in production) and retried.
        LINKEDIN_REQUEST_TIMEOUT: '5s',
        WORKER_METRICS_PORT: String(await freePort()),
      },
    });
    this.worker = worker;
    this.workerBuild = build.label;
    await worker.waitForLine('worker started', 120_000);
    return worker;
  }

  async startApi(build: ServiceBuild): Promise<ServiceProcess> {
    const api = new ServiceProcess({
      name: `api-${++this.launches}-${build.label}`,
      script: join(build.distDir, 'api', 'main.js'),
      cwd: build.cwd,
      logDir: this.options.runDir,
      env: {
        ...this.common(),
        PORT: String(this.apiPort),
        API_METRICS_PORT: String(await freePort()),
        LINKEDIN_PARENT_APPLICATION_ID: PARENT_APPLICATION_ID,
      },
    });
    this.api = api;
    this.apiBuild = build.label;
    const deadline = Date.now() + 60_000;
    while (!(await this.healthy())) {
      if (!api.alive) throw new Error(`${api.name} exited:\n${api.lastLines()}`);
      if (Date.now() > deadline) throw new Error(`${api.name} not healthy within 60 s:\n${api.lastLines()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return api;
  }

  /** After a scenario that failed half-way: Temporal up, this build's worker and API running. */
  async ensure(build: ServiceBuild): Promise<void> {
    const up = await this.client
      .withDeadline(Date.now() + 5_000, () => this.client.workflowService.getSystemInfo({}))
      .then(
        () => true,
        () => false,
      );
    if (!up) {
      await this.temporal.stop().catch(() => undefined);
      await this.startTemporal();
    }
    if (!this.worker?.alive || this.workerBuild !== build.label) {
      await this.worker?.kill();
      await this.startWorker(build);
    }
    if (!this.api?.alive || this.apiBuild !== build.label) {
      await this.api?.kill();
      await this.startApi(build);
    }
    this.sandbox.faults.clear();
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.apiPort}/webhooks/linkedin`;
  }

  async healthy(): Promise<boolean> {
    try {
      const answer = await fetch(`http://127.0.0.1:${this.apiPort}/healthz`, {
        signal: AbortSignal.timeout(5_000),
      });
      return answer.status === 200;
    } catch {
      return false;
    }
  }

  /**
   * Waits until no resync of these applications runs (twice in a row, a second apart, so one just started
   * is seen); false when `timeoutMs` ran out first. Visibility may be unreachable meanwhile (Temporal down).
   */
  async settled(urns: readonly string[], timeoutMs: number): Promise<boolean> {
    const query = `(${urns.map((urn) => `${DEVELOPER_APPLICATION_URN.name}="${urn}"`).join(' OR ')}) AND ExecutionStatus="Running"`;
    const deadline = Date.now() + timeoutMs;
    let quietPolls = 0;
    while (Date.now() < deadline) {
      const running = await this.client.workflow.count(query).then(
        (answer) => answer.count,
        () => -1,
      );
      quietPolls = running === 0 ? quietPolls + 1 : 0;
      if (quietPolls >= 2) return true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    return false;
  }

  /** How the resyncs of these applications ended: closed runs by status, and the running ones. */
  async runs(urns: readonly string[]): Promise<Record<string, number>> {
    const query = urns.map((urn) => `${DEVELOPER_APPLICATION_URN.name}="${urn}"`).join(' OR ');
    const tally: Record<string, number> = {};
    try {
      for await (const execution of this.client.workflow.list({ query })) {
        if (execution.type !== WORKFLOW_TYPE) continue;
        tally[execution.status.name] = (tally[execution.status.name] ?? 0) + 1;
      }
    } catch (error) {
      tally.unreadable = 1;
      console.error(`listing the resyncs failed: ${(error as Error).message}`);
    }
    return tally;
  }
}
