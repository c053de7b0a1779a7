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
