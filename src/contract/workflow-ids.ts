import type { CanonicalRequest } from './notification';
import type { Operation } from './resync';
import { applicationIdOf, applicationUrnOf } from './urn';

/**
 * The workflow id of a resync: readable (application, scope) and ending in a digest of the canonical
 * request, so a redelivery of the same notification maps to the same workflow. The digest is computed on
 * the API side (`api/workflow-id.ts`), which has Node's crypto; this module stays workflow-safe.
 */
export function resyncWorkflowId(request: CanonicalRequest, digest: string, prefix = ''): string {
  const scope = request.syncAllOpenJobs ? 'all-open-jobs' : `${request.externalJobPostingIds.length}-jobs`;
  return `${prefix}resync-app-${applicationIdOf(request.developerApplicationUrn)}-${scope}-${digest}`;
}

export interface ResyncWorkflowIdParts {
  prefix: string;
  developerApplicationUrn: string;
  /** `all-open-jobs` or `{n}-jobs`. */
  scope: string;
  digest: string;
}

const RESYNC_ID = /^(|.*-)resync-app-(\d+)-(all-open-jobs|\d+-jobs)-([0-9a-f]+)$/;

/** The inverse of `resyncWorkflowId`; undefined for an id it did not make. */
export function parseResyncWorkflowId(workflowId: string): ResyncWorkflowIdParts | undefined {
  const match = RESYNC_ID.exec(workflowId);
  if (!match) return undefined;
  const [, prefix = '', applicationId = '', scope = '', digest = ''] = match;
  return { prefix, developerApplicationUrn: applicationUrnOf(applicationId), scope, digest };
}

/** What names one follower of a resync: one per batch, round and operation of one execution. */
export interface FollowerOf {
  resyncWorkflowId: string;
  /** The resync execution's first run id; the id keeps its last 12 characters. */
  resyncRunId: string;
  round: number;
  batchNumber: number;
  operation: Operation;
}

const RUN_ID_CHARS = 12;

export function followerWorkflowId(follower: FollowerOf): string {
  const run = follower.resyncRunId.slice(-RUN_ID_CHARS);
  const { resyncWorkflowId, round, batchNumber, operation } = follower;
  return `${resyncWorkflowId}-tasks-${run}-r${round}-${batchNumber}-${operation.toLowerCase()}`;
}

const FOLLOWER_ID = /^(.+)-tasks-(.{1,12})-r(\d+)-(\d+)-(update|create|close)$/;

/** The inverse of `followerWorkflowId` (with the run id's last 12 characters); undefined for other ids. */
export function parseFollowerWorkflowId(workflowId: string): FollowerOf | undefined {
  const match = FOLLOWER_ID.exec(workflowId);
  if (!match) return undefined;
  const [, resyncWorkflowId = '', resyncRunId = '', round = '', batchNumber = '', operation = ''] = match;
  return {
    resyncWorkflowId,
    resyncRunId,
    round: Number(round),
    batchNumber: Number(batchNumber),
    operation: operation.toUpperCase() as Operation,
  };
}

/** The application a resync's workflow id, or one of its followers' ids, names. */
export function applicationOfWorkflowId(workflowId: string): string | undefined {
  const resyncId = parseFollowerWorkflowId(workflowId)?.resyncWorkflowId ?? workflowId;
  return parseResyncWorkflowId(resyncId)?.developerApplicationUrn;
}
