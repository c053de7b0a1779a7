import { MAX_JOBS_PER_CALL } from '../contract/names';
import { fitting, PAYLOAD_BUDGET_BYTES } from '../contract/payload-budget';
import { applicationOf, type ActivityDeps } from './deps';

export interface ListOpenJobIdsInput {
  developerApplicationUrn: string;
  after?: string | undefined;
  limit: number;
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
    const page = read.slice(0, input.limit);
    const fit = fitting(page, PAYLOAD_BUDGET_BYTES);
    // Cut by bytes: in whole batches, so no call goes with fewer than LinkedIn's 100 before the end.
    const ids =
      fit.length === page.length || fit.length < MAX_JOBS_PER_CALL
        ? fit
        : fit.slice(0, fit.length - (fit.length % MAX_JOBS_PER_CALL));
    return { ids, more: read.length > ids.length };
  };
}
