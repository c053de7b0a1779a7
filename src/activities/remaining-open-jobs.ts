import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

export interface RemainingOpenJobsInput {
  developerApplicationUrn: string;
  after: string | undefined;
  sampleSize: number;
}

const PAGE = 1_000;

/** After a missed deadline: how many open jobs were never listed, and the first of them. */
export function remainingOpenJobs(deps: ActivityDeps) {
  return async (input: RemainingOpenJobsInput): Promise<{ count: number; sample: string[] }> => {
    const sample: string[] = [];
    let count = 0;
    let after = input.after;
    for (;;) {
      const page = await deps.jobs.listOpenJobIds(input.developerApplicationUrn, { after, limit: PAGE });
      count += page.length;
      for (const id of page) if (sample.length < input.sampleSize) sample.push(id);
      if (page.length < PAGE) return { count, sample };
      after = page[page.length - 1];
      Context.current().heartbeat();
    }
  };
}
