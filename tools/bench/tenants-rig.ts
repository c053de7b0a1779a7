/**
 * What the tenants benchmark runs on: one Temporal dev server, the LinkedIn sandbox in a process of its
 * own, and the worker process (tenants-worker.ts) with one large application and many small ones seeded
 * in its store and held by LinkedIn's side, so the resyncs' UPDATEs succeed.
 */
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { createResyncStarter, type ResyncStarter } from '../../src/api/resync-starter';
import type { DeveloperApplication } from '../../src/ats/job-store';
import { freePort } from '../dev/ports';
import { startBenchTemporal } from './bench-temporal';
import { mapLimited } from './measure';
import { sandboxAdmin, startSandboxProcess, type SandboxProcess } from './sandbox-process';
import { DEADLINE_MS, FOLLOW_UP_WINDOW_MS, NAMESPACE } from './settings';
import type { TenantsOptions } from './tenants-options';
import type { FromTenantsWorker, ToTenantsWorker } from './tenants-protocol';
import { BenchWorker } from './worker-process';

const SEEDING_TIMEOUT_MS = 10 * 60_000;
export const REPLY_TIMEOUT_MS = 30_000;

export interface TenantsRig {
  options: TenantsOptions;
  client: Client;
  taskQueue: string;
  sandbox: SandboxProcess;
  worker: BenchWorker<ToTenantsWorker, FromTenantsWorker>;
  /** Where the worker's Prometheus endpoint listens. */
  metricsPort: number;
  /** The large application's id, and the small ones'. */
  large: number;
  smalls: number[];
  /** Starts resyncs as the API does, their workflow ids prefixed with `prefix`. */
  starter: (prefix: string) => ResyncStarter;
  /** The worker process's CPU time so far, in ms. */
  workerCpuMs: () => Promise<number>;
}

export function urnOf(id: number): string {
  return `urn:li:developerApplication:${id}`;
}

/** Starts every part, each one's stop going on `stops`, and seeds the store and LinkedIn's side. */
export async function startTenantsRig(
  options: TenantsOptions,
  stops: Array<() => Promise<unknown>>,
): Promise<TenantsRig> {
  const metricsPort = await freePort();
  const { address, client, bundlePath } = await startBenchTemporal(stops, 'tenants');
  const sandbox = await startSandboxProcess(stops);
  if (options.latencyMs > 0) {
    await sandboxAdmin(sandbox.url, 'faults', {
      setLatency: { endpoint: 'simpleJobPostings', ms: options.latencyMs },
    });
  }

  console.log(
    `Seeding 1 application of ${options.largeJobs} jobs and ${options.smallApps} of ${options.smallJobs}…`,
  );
  const large = 9_000_000;
  const smalls = Array.from({ length: options.smallApps }, (_, i) => 9_100_000 + i);
  const applications = [large, ...smalls].map((id): DeveloperApplication => ({
    urn: urnOf(id),
    clientId: `bench-${id}`,
    clientSecret: `bench-secret-${id}`,
    integrationContext: 'urn:li:organization:2414183',
    companyName: `Tenant ${id}`,
  }));
  const taskQueue = 'tenants-bench';
  const worker = new BenchWorker<ToTenantsWorker, FromTenantsWorker>(join(__dirname, 'tenants-worker.js'));
  stops.push(async () => {
    worker.send({ kind: 'finish' });
    await worker.stop(60_000);
  });
  worker.send({
    kind: 'setup',
    temporalAddress: address,
    namespace: NAMESPACE,
    taskQueue,
    workflowBundlePath: bundlePath,
    linkedin: { apiUrl: sandbox.url, tokenUrl: `${sandbox.url}/oauth/v2/accessToken` },
    serveLargeResyncs: options.largeResyncJobs > 0,
    metricsPort,
    applications: applications.map((application) => ({
      application,
      jobs: application.urn === urnOf(large) ? options.largeJobs : options.smallJobs,
    })),
  });
  const { ids } = await worker.next('seeded', SEEDING_TIMEOUT_MS);
  // LinkedIn knows each application and already holds its jobs, so the resyncs' UPDATEs succeed.
  await mapLimited(applications, 8, async (application) => {
    await sandboxAdmin(sandbox.url, 'applications', {
      developerApplicationUrn: application.urn,
      clientId: application.clientId,
      clientSecret: application.clientSecret,
      kind: 'child',
    });
    await sandboxAdmin(sandbox.url, 'jobs', {
      developerApplicationUrn: application.urn,
      externalJobPostingIds: ids[application.urn] ?? [],
    });
  });
  await worker.next('ready', SEEDING_TIMEOUT_MS);
  // As the API routes them (src/api/main.ts), counting a sync-all's open jobs in the ATS: the ids the
  // worker process's store listed.
  const jobs = {
    countOpenJobs: (urn: string, atMost: number) =>
      Promise.resolve(Math.min((ids[urn] ?? []).length, atMost)),
  };
  const largeRouting = { large: { minJobs: options.largeResyncJobs, jobs } };
  return {
    options,
    client,
    taskQueue,
    sandbox,
    worker,
    metricsPort,
    large,
    smalls,
    starter: (prefix) =>
      createResyncStarter(client, {
        taskQueue,
        deadlineMs: DEADLINE_MS,
        followUpWindowMs: FOLLOW_UP_WINDOW_MS,
        workflowIdPrefix: prefix,
        startTimeoutMs: 10_000,
        ...largeRouting,
      }),
    workerCpuMs: async () => {
      worker.send({ kind: 'cpu' });
      return (await worker.next('cpu', REPLY_TIMEOUT_MS)).cpuMs;
    },
  };
}
