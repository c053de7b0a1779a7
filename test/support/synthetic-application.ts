import { randomInt } from 'node:crypto';
import type { DeveloperApplication } from '../../src/ats/job-store';
import type { TestEnvironment } from './environment';

/** The id `insertSyntheticJobs` gives its n-th job (from 1). */
export function synId(n: number): string {
  return `syn-${String(n).padStart(6, '0')}`;
}

/**
 * A child application of its own with `count` open synthetic jobs in the ATS, all of them held (open) by
 * LinkedIn: tests that need more jobs than the demo data has, or an application no other test uses.
 */
export async function applicationWith(env: TestEnvironment, count: number): Promise<DeveloperApplication> {
  const id = randomInt(100_000, 999_999);
  const app: DeveloperApplication = {
    urn: `urn:li:developerApplication:${id}`,
    clientId: `synthetic-client-${id}`,
    clientSecret: `synthetic-secret-${id}-long-enough`,
    integrationContext: 'urn:li:organization:2414183',
    companyName: 'Synthetic Jobs Inc',
  };
  await env.jobStore.ensureApplication(app);
  await env.jobStore.insertSyntheticJobs(app.urn, count);
  env.sandbox.registerApplication({
    developerApplicationUrn: app.urn,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    kind: 'child',
  });
  env.sandbox.seedExistingJobs(
    app.urn,
    Array.from({ length: count }, (_, k) => synId(k + 1)),
    'OPEN',
  );
  return app;
}
