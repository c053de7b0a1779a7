/**
 * What the storm runs on, the production path on one machine: a Temporal dev server (in memory), or with
 * `--temporal production` Temporal's server on a PostgreSQL of its own (storm-temporal.ts), a
 * throwaway PostgreSQL as the ATS store and the application lanes, the LinkedIn sandbox as a process of its
 * own, and the built API (`dist/api/main.js`) and worker(s) (`dist/worker.js`) as child processes. With
 * `--store embedded`, one process serves the worker and the API over the embedded store (storm-service.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { openJobStore } from '../../src/ats/open-job-store';
import type { JobStore } from '../../src/ats/job-store';
import { formatDuration } from '../../src/duration';
import { ServiceProcess } from '../chaos/service-process';
import { startPostgresCluster } from '../dev/postgres-cluster';
import { freePort } from '../dev/ports';
import { projectRoot } from '../project-root';
import { mapLimited, postgresCpuMs, sleep } from './measure';
import { sandboxAdmin, startSandboxProcess, type SandboxProcess } from './sandbox-process';
import type { StormOptions } from './storm-options';
import { startSpanCounter, type SpanCounter } from './span-counter';
import { startStormTemporal, type StormTemporalServer } from './storm-temporal';

const ROOT = projectRoot();
/** Made for the run: the built API takes no secret published in the repository. */
export const STORM_WEBHOOK_SECRET = randomBytes(32).toString('hex');

/** The processes serving one storm: the worker(s), and the API (its own, or inside the embedded service). */
export interface Service {
  workers: ServiceProcess[];
  api: ServiceProcess | undefined;
  /** Each worker's Prometheus /metrics. */
  metricsUrls: string[];
  stop(): Promise<void>;
}

export class StormRig {
  client!: Client;
  temporal!: StormTemporalServer;
  sandbox!: SandboxProcess;
  readonly taskQueue = `storm-${Date.now().toString(36)}`;
  readonly prefix = `storm${Date.now().toString(36)}-`;
  readonly runDir: string;
  apiPort = 0;
  private databaseUrl: string | undefined;
  /** The ATS store's PostgreSQL data directory, for its CPU. */
  private storeDataDir: string | undefined;
  private store: JobStore | undefined;
  private api: ServiceProcess | undefined;
  private launches = 0;
  /** With --traced: where the API and the worker(s) export their spans while `tracing` is on. */
  private spanCounter: SpanCounter | undefined;
  private tracing = false;

  constructor(
    readonly options: StormOptions,
    private readonly stops: Array<() => Promise<unknown>>,
  ) {
    this.runDir = join(ROOT, '.data', 'bench', `storm-run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.apiPort}/webhooks/linkedin`;
  }

  async start(): Promise<void> {
    mkdirSync(this.runDir, { recursive: true });
    // The production path runs the built service; build it when a source is newer than dist/.
    const build = spawnSync('node', [join(ROOT, 'scripts', 'build-if-stale.mjs'), 'service'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (build.status !== 0) throw new Error('building the service (npm run build) failed');
    this.temporal = await startStormTemporal(
      this.options.temporal,
      this.options.fairness,
      this.stops,
      this.options.partitions,
    );
    this.client = this.temporal.client;
    this.sandbox = await startSandboxProcess(this.stops);
    await this.setKnobs();
    this.apiPort = await freePort();
    if (this.options.traced) this.spanCounter = await startSpanCounter(this.stops);
    if (this.options.store === 'postgres') {
      const postgres = await startPostgresCluster({ startTimeoutMs: 90_000 });
      this.stops.push(() => postgres.stop());
      this.databaseUrl = postgres.url;
      this.storeDataDir = postgres.dataDir;
      this.store = await openJobStore({ databaseUrl: postgres.url, dataDir: this.runDir });
      this.stops.push(() => this.store!.close());
      this.api = await this.startApi();
      this.stops.push(() => this.api!.stop());
    }
  }

  /**
   * With --traced: the processes of the next storm trace (OTEL_EXPORTER_OTLP_ENDPOINT set) or not; the API,
   * which outlives a storm, starts again to take it. The spans exported so far, for the storm's figures.
   */
  async traceFrom(on: boolean): Promise<void> {
    if (this.spanCounter === undefined) throw new Error('tracing is compared with --traced only');
    if (on === this.tracing) return;
    this.tracing = on;
    if (this.api === undefined) return;
    await this.api.stop();
    this.api = await this.startApi();
  }

  spansExported(): number {
    return this.spanCounter?.spans() ?? 0;
  }

  /** The ATS store's PostgreSQL's CPU (ms); null with the embedded store. */
  storePostgresCpuMs(): number | null {
    return postgresCpuMs(this.storeDataDir);
  }

  /** LinkedIn's answer time and, with --throttle, its posting limit. */
  private async setKnobs(): Promise<void> {
    if (this.options.latencyMs > 0)
      await sandboxAdmin(this.sandbox.url, 'faults', {
        setLatency: { endpoint: 'simpleJobPostings', ms: this.options.latencyMs },
      });
    if (this.options.throttle !== null)
      await sandboxAdmin(this.sandbox.url, 'faults', { throttle: this.options.throttle });
  }

  /** After a storm: the sandbox forgets its record and held jobs (memory for the next), knobs set again. */
  async resetSandbox(): Promise<void> {
    await sandboxAdmin(this.sandbox.url, 'reset', {});
    await this.setKnobs();
  }

  /** Adds the applications to the ATS store and to LinkedIn's side (holding their jobs); their open ids. */
  async seed(apps: Array<{ id: number; jobs: number }>): Promise<Map<string, string[]>> {
    const store =
      this.store ?? (await openJobStore({ databaseUrl: undefined, dataDir: join(this.runDir, 'data') }));
    const open = new Map<string, string[]>();
    try {
      await mapLimited(apps, 4, async ({ id, jobs }) => {
        const urn = `urn:li:developerApplication:${id}`;
        await store.ensureApplication({
          urn,
          clientId: `storm-${id}`,
          clientSecret: `storm-secret-${id}`,
          integrationContext: 'urn:li:organization:2414183',
          companyName: `Storm ${id}`,
        });
        await store.insertSyntheticJobs(urn, jobs, { idPrefix: `s${id}-` });
        open.set(urn, await store.listOpenJobIds(urn, { limit: jobs + 1 }));
      });
    } finally {
      if (store !== this.store) await store.close();
    }
    await mapLimited(apps, 8, async ({ id }) => {
      const urn = `urn:li:developerApplication:${id}`;
      await sandboxAdmin(this.sandbox.url, 'applications', {
        developerApplicationUrn: urn,
        clientId: `storm-${id}`,
        clientSecret: `storm-secret-${id}`,
        kind: 'child',
      });
      await sandboxAdmin(this.sandbox.url, 'jobs', {
        developerApplicationUrn: urn,
        externalJobPostingIds: open.get(urn) ?? [],
      });
    });
    return open;
  }

  /** Starts the worker process(es) (and, embedded, the API with them); resolves once drift schedules exist. */
  async startService(applications: number): Promise<Service> {
    const workers: ServiceProcess[] = [];
    const metricsUrls: string[] = [];
    const stop = async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
    };
    try {
      for (let i = 0; i < this.options.workers; i++) {
        const port = await freePort();
        metricsUrls.push(`http://127.0.0.1:${port}/metrics`);
        workers.push(await this.startWorker(port));
      }
      await this.driftSchedulesInStep(applications);
    } catch (error) {
      await stop();
      throw error;
    }
    return { workers, api: this.api ?? workers[0], metricsUrls, stop };
  }

  /** With --cpu-prof: Node writes each process's CPU profile to that folder when it stops. */
  private profiling(): { nodeArgs?: string[] } {
    const dir = this.options.cpuProfileDir;
    return dir === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${resolve(dir)}`] };
  }

  private common(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: this.temporal.namespace,
      TASK_QUEUE: this.taskQueue,
      WORKFLOW_ID_PREFIX: this.prefix,
      LOG_LEVEL: 'info',
      RESYNC_DEADLINE: formatDuration(this.options.deadlineMs),
      LINKEDIN_WEBHOOK_SECRETS: STORM_WEBHOOK_SECRET,
      LINKEDIN_PARENT_APPLICATION_ID: '1',
      ...(this.options.compress ? { PAYLOAD_COMPRESSION: 'zlib' } : {}),
      ...(this.options.largeResyncJobs === undefined
        ? {}
        : { LARGE_RESYNC_JOBS: String(this.options.largeResyncJobs) }),
      ...(this.tracing && this.spanCounter ? { OTEL_EXPORTER_OTLP_ENDPOINT: this.spanCounter.endpoint } : {}),
      ...(this.tracing && this.options.traceSample !== undefined
        ? {
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: String(this.options.traceSample),
          }
        : {}),
      ...(this.databaseUrl === undefined
        ? { DATA_DIR: join(this.runDir, 'data') }
        : { DATABASE_URL: this.databaseUrl }),
    };
  }

  private async startApi(): Promise<ServiceProcess> {
    const api = new ServiceProcess({
      name: `api-${++this.launches}`,
      script: join(ROOT, 'dist', 'api', 'main.js'),
      cwd: ROOT,
      logDir: this.runDir,
      ...this.profiling(),
      env: { ...this.common(), PORT: String(this.apiPort), API_METRICS_PORT: String(await freePort()) },
    });
    await api.waitForLine('api listening', 60_000);
    return api;
  }

  private async startWorker(metricsPort: number): Promise<ServiceProcess> {
    const embedded = this.options.store === 'embedded';
    const worker = new ServiceProcess({
      name: `${embedded ? 'service' : 'worker'}-${++this.launches}`,
      script: embedded ? join(__dirname, 'storm-service.js') : join(ROOT, 'dist', 'worker.js'),
      cwd: ROOT,
      logDir: this.runDir,
      ...this.profiling(),
      env: {
        ...this.common(),
        LINKEDIN_API_URL: this.sandbox.url,
        LINKEDIN_TOKEN_URL: `${this.sandbox.url}/oauth/v2/accessToken`,
        WORKER_METRICS_PORT: String(metricsPort),
        ...(embedded
          ? {
              PORT: String(this.apiPort),
              API_METRICS_PORT: String(await freePort()),
              WORKFLOW_BUNDLE: join(ROOT, 'dist', 'workflows.bundle.js'),
            }
          : {}),
      },
    });
    await worker.waitForLine('worker started', 120_000);
    return worker;
  }

  /**
   * Waits until a drift schedule exists for every application (the workers make them at start), so their
   * making is not measured as part of the storm: a production worker's schedules exist before a storm.
   */
  private async driftSchedulesInStep(applications: number): Promise<void> {
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      let schedules = 0;
      for await (const schedule of this.client.schedule.list()) if (schedule.scheduleId) schedules++;
      if (schedules >= applications) return;
      if (Date.now() > deadline)
        throw new Error(`${schedules} drift schedules of ${applications} after 5 minutes`);
      await sleep(1_000);
    }
  }
}
