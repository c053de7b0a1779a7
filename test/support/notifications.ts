import { buildDemoJobs, DEMO_APPLICATION } from '../../src/ats/demo-data';
import type { JobResult } from '../../src/contract';

/**
 * A Job Resync Notification body, fields in the alphabetical order of LinkedIn's samples: for these job
 * ids, or for every open job of the application with 'all'.
 */
export function notification(ids: readonly string[] | 'all', urn = DEMO_APPLICATION.urn): string {
  return JSON.stringify(
    ids === 'all'
      ? { developerApplicationUrn: urn, syncAllOpenJobs: true, type: 'RESYNC_JOBS' }
      : {
          developerApplicationUrn: urn,
          externalJobPostingIds: ids,
          syncAllOpenJobs: false,
          type: 'RESYNC_JOBS',
        },
  );
}

/** id → fate, or fate/confirmation once LinkedIn's task ended: a whole result compared at once. */
export function fates(jobs: readonly JobResult[]): Record<string, string> {
  return Object.fromEntries(
    jobs.map((job) => [
      job.externalJobPostingId,
      job.confirmation === undefined ? job.fate : `${job.fate}/${job.confirmation}`,
    ]),
  );
}

/** The first `count` open demo jobs of the application, in the order a resync sends them. */
export function openDemoJobIds(count: number, urn = DEMO_APPLICATION.urn): string[] {
  return buildDemoJobs()
    .filter((job) => job.developerApplicationUrn === urn && job.status === 'OPEN')
    .map((job) => job.externalJobPostingId)
    .sort()
    .slice(0, count);
}
