import { Context } from '@temporalio/activity';
import type { DeveloperApplication } from '../../ats/job-store';
import type { BatchProgress } from './batch-progress';
import type { PlannedCall } from './batch-plan';
import type { ActivityDeps } from '../deps';

/**
 * A job is CREATEd once per application, whatever runs at once: before a CREATE call leaves, its jobs are
 * claimed in linkedin_creates (one atomic statement, so every resync, worker and retry sees the same
 * truth). A job another resync CREATEd lately is not sent: it carries that CREATE as its answer.
 */
export async function claimCreates(
  deps: ActivityDeps,
  app: DeveloperApplication,
  call: PlannedCall,
  progress: BatchProgress,
): Promise<PlannedCall> {
  if (!call.createsJobs || !deps.creates) return call;
  const ids = call.elements.map((element) => element.externalJobPostingId);
  const now = (deps.now ?? Date.now)();
  const { claimed, sentBefore } = await deps.creates.claim(app.urn, ids, claimant(), now);
  for (const { externalJobPostingId, sentBy, sentAt } of sentBefore) {
    const resync = sentBy.split('/')[0] ?? sentBy;
    progress.answered.set(externalJobPostingId, {
      externalJobPostingId,
      fate: 'CREATED',
      confirmation: 'UNCONFIRMED',
      reason: `CREATEd already by another resync of this application (${resync}, ${new Date(sentAt).toISOString()}); not sent twice`,
    });
  }
  const keep = new Set(claimed);
  return { ...call, elements: call.elements.filter((element) => keep.has(element.externalJobPostingId)) };
}

/**
 * After a CREATE call: the claims of the jobs LinkedIn took nothing of (`untaken`) are released, so they
 * may be CREATEd later, by a retry or another resync.
 */
export async function releaseUntaken(
  deps: ActivityDeps,
  app: DeveloperApplication,
  call: PlannedCall,
  untaken: (id: string) => boolean,
): Promise<void> {
  if (!call.createsJobs || !deps.creates) return;
  const ids = call.elements.map((element) => element.externalJobPostingId).filter(untaken);
  await deps.creates.release(app.urn, ids, claimant());
}

/** Whose claim: the resync's workflow id and run (a retry of this activity is the same claimant). */
function claimant(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return workflowExecution ? `${workflowExecution.workflowId}/${workflowExecution.runId}` : activityId;
}
