import { fitting, PAYLOAD_BUDGET_BYTES } from '../contract/payload-budget';
import { applicationOf, type ActivityDeps } from './deps';

export interface ListOpenJobIdsInput {
  developerApplicationUrn: string;
  after?: string | undefined;
  limit: number;
}

/** A page of the application's open job ids, in id order, for syncAllOpenJobs. */
export function listOpenJobIds(deps: ActivityDeps) {
  return async (input: ListOpenJobIdsInput): Promise<string[]> => {
    await applicationOf(deps, input.developerApplicationUrn);
    return deps.jobs.listOpenJobIds(input.developerApplicationUrn, {
      after: input.after,
      limit: input.limit,
    });
  };
}

export interface OpenJobPage {
  ids: string[];
  /** Whether open jobs follow the page. */
  more: boolean;
}

/**
 * A page of the application's open job ids, in id order, of at most `limit` ids and PAYLOAD_BUDGET_BYTES
 * bytes (as Temporal carries them): a page of long ids holds fewer of them.
 */
export function listOpenJobPage(deps: ActivityDeps) {
  return async (input: ListOpenJobIdsInput): Promise<OpenJobPage> => {
    await applicationOf(deps, input.developerApplicationUrn);
    const read = await deps.jobs.listOpenJobIds(input.developerApplicationUrn, {
      after: input.after,
      limit: input.limit + 1,
    });
    const ids = fitting(read.slice(0, input.limit), PAYLOAD_BUDGET_BYTES);
    return { ids, more: read.length > ids.length };
  };
}
