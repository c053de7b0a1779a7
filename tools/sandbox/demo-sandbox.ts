import {
  buildDemoJobs,
  DEMO_APPLICATION,
  DEMO_SAMPLE_JOB_IDS,
  SECOND_DEMO_APPLICATION,
} from '../../src/ats/demo-data';
import type { DeveloperApplication } from '../../src/ats/job-store';
import { startLinkedInSandbox, type LinkedInSandbox, type LinkedInSandboxOptions } from './linkedin-sandbox';

export const DEMO_APPLICATIONS: readonly DeveloperApplication[] = [DEMO_APPLICATION, SECOND_DEMO_APPLICATION];

/** The demo applications as child applications LinkedIn knows, with their credentials. */
export function registerDemoApplications(sandbox: LinkedInSandbox): void {
  for (const app of DEMO_APPLICATIONS) {
    sandbox.registerApplication({
      developerApplicationUrn: app.urn,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      kind: 'child',
    });
  }
}

/** Every demo job id of one application, open or closed, in the order the demo data lists them. */
export function demoJobIds(developerApplicationUrn: string): string[] {
  return buildDemoJobs()
    .filter((job) => job.developerApplicationUrn === developerApplicationUrn)
    .map((job) => job.externalJobPostingId);
}

/**
 * The sandbox with both demo applications. LinkedIn already holds most demo jobs, so a resync's UPDATEs
 * find them; every 25th is missing on LinkedIn's side, so a sync-all shows the CREATE fallback too.
 */
export async function startDemoSandbox(options: LinkedInSandboxOptions): Promise<LinkedInSandbox> {
  const sandbox = await startLinkedInSandbox(options);
  registerDemoApplications(sandbox);
  for (const app of DEMO_APPLICATIONS) sandbox.seedExistingJobs(app.urn, demoHeldJobIds(app.urn));
  return sandbox;
}

/** The demo jobs the demo sandbox holds from the start: all but every 25th (never a sample job). */
export function demoHeldJobIds(developerApplicationUrn: string): string[] {
  return demoJobIds(developerApplicationUrn).filter(
    (id, index) => DEMO_SAMPLE_JOB_IDS.includes(id) || index % 25 !== 24,
  );
}
