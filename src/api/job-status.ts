import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { JobStore } from '../ats/job-store';
import type { JobStatusStore, StoredJobStatus } from '../ats/job-status-store';
import {
  DEVELOPER_APPLICATION_URN,
  isDeveloperApplicationUrn,
  longerThanAllowed,
  MAX_ID_LENGTH,
} from '../contract';
import {
  JOB_STATUS_CHANGED_WORKFLOW_TYPE,
  jobStatusContent,
  jobStatusWorkflowId,
  type JobStatusChangedInput,
} from '../contract/drift';
import {
  droppedJobPostingUrl,
  JOB_POSTING_STATUS_TYPE,
  JobStatusChangeNotification,
  linkedInJobPostingUrl,
} from '../linkedin/job-posting-status';
import { echo } from '../echo';
import { HttpError } from './http-error';
import { requireBearerToken } from './bearer-token';
import { withinTime } from './resync-starter';
import { applicationPriority } from '../fairness';

/**
 * One workflow per distinct notification: a redelivery of the same content joins (or repeats, harmlessly)
 * the one it started.
 */
export function jobStatusWorkflowIdOf(
  notification: Parameters<typeof jobStatusContent>[0],
  prefix = '',
): string {
  const digest = createHash('sha256').update(jobStatusContent(notification)).digest('hex').slice(0, 16);
  return jobStatusWorkflowId(notification.developerApplicationUrn, digest, prefix);
}

export interface JobStatusChangeOptions {
  taskQueue: string;
  deadlineMs: number;
  followUpWindowMs: number;
  workflowIdPrefix?: string;
  /** As for resyncs: past this the webhook answers 500 and LinkedIn delivers again. */
  startTimeoutMs: number;
}

/** Accepts Job Status Change notifications; the webhook routes bodies of type JOB_POSTING_STATUS here. */
export interface JobStatusChanges {
  /** 200 once this resolves: the notification is durably with Temporal. Throws HttpError 400 when not understood. */
  accept(body: unknown, receivedAt: number): Promise<{ workflowId: string }>;
}

/** Whether a parsed webhook body is a Job Status Change notification (routed by `type`). */
export function isJobStatusChange(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && (body as { type?: unknown }).type === JOB_POSTING_STATUS_TYPE
  );
}

/**
 * One `jobStatusChanged` workflow per distinct notification, started as resyncs are: the answer is 200
 * only once Temporal holds it, so what LinkedIn said is never lost, and the workflow records it and
 * repairs the job when it drifted. A redelivery of the same body joins the workflow it started.
 */
export function createJobStatusChanges(
  deps: { client: Client; jobStore: Pick<JobStore, 'getApplication'>; logger: Logger },
  options: JobStatusChangeOptions,
): JobStatusChanges {
  return {
    async accept(body, receivedAt) {
      const parsed = JobStatusChangeNotification.safeParse(body);
      if (!parsed.success) {
        throw new HttpError(
          400,
          parsed.error.issues
            .slice(0, 5)
            .map((issue) => issue.message)
            .join('; '),
        );
      }
      const notification = parsed.data;
      const urn = notification.developerApplicationUrn;
      const dropped = droppedJobPostingUrl((body as { jobPostingUrl?: unknown }).jobPostingUrl);
      if (dropped !== undefined) {
        deps.logger.warn(
          {
            developerApplicationUrn: urn,
            externalJobPostingId: notification.externalJobPostingId,
            jobPostingUrl: dropped,
          },
          'jobPostingUrl is not an https LinkedIn URL: dropped',
        );
      }
      if (!(await deps.jobStore.getApplication(urn))) {
        throw new HttpError(400, `developerApplicationUrn ${echo(urn)} is not an application this ATS knows`);
      }
      const workflowId = jobStatusWorkflowIdOf(notification, options.workflowIdPrefix);
      const input: JobStatusChangedInput = {
        developerApplicationUrn: urn,
        externalJobPostingId: notification.externalJobPostingId,
        status: notification.status,
        carriesListingStatus: notification.carriesListingStatus,
        receivedAt,
        deadlineMs: options.deadlineMs,
        followUpWindowMs: options.followUpWindowMs,
      };
      await withinTime(options.startTimeoutMs, (signal) =>
        deps.client.withAbortSignal(signal, () =>
          deps.client.workflow.start(JOB_STATUS_CHANGED_WORKFLOW_TYPE, {
            taskQueue: options.taskQueue,
            workflowId,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: urn }],
            priority: applicationPriority(urn),
            staticSummary: `Job status of ${notification.externalJobPostingId}: ${
              notification.status.listingStatus ?? 'listing not given'
            }`,
          }),
        ),
      );
      deps.logger.info(
        { workflowId, developerApplicationUrn: urn, externalJobPostingId: notification.externalJobPostingId },
        'job status change accepted',
      );
      return { workflowId };
    },
  };
}

/** `GET /jobs/:application/:externalJobPostingId/linkedin-status`: the row of linkedin_job_status. */
export function createJobStatusRoutes(deps: {
  token: string;
  jobStatuses: Pick<JobStatusStore, 'get'>;
}): Router {
  const router = new Router();
  router.get(
    '/jobs/:application/:externalJobPostingId/linkedin-status',
    requireBearerToken(deps.token),
    async (ctx) => {
      const application = ctx.params.application ?? '';
      const id = ctx.params.externalJobPostingId ?? '';
      // The urn, or its numeric id alone; no longer than any urn or id a notification may carry.
      const urn = /^\d+$/.test(application) ? `urn:li:developerApplication:${application}` : application;
      if (urn.length > MAX_ID_LENGTH || !isDeveloperApplicationUrn(urn)) {
        throw new HttpError(
          400,
          'application must be urn:li:developerApplication:{numeric id} or the numeric id',
        );
      }
      if (id.length > MAX_ID_LENGTH) {
        throw new HttpError(400, `externalJobPostingId ${longerThanAllowed(id)}`);
      }
      const status = await deps.jobStatuses.get(urn, id);
      if (!status) throw new HttpError(404, `no LinkedIn status recorded for ${echo(id)} of ${urn}`);
      ctx.body = statusView(status);
    },
  );
  return router;
}

function statusView(status: StoredJobStatus) {
  return {
    developerApplicationUrn: status.developerApplicationUrn,
    externalJobPostingId: status.externalJobPostingId,
    onLinkedIn: status.onLinkedIn,
    jobPostingUrl: linkedInJobPostingUrl(status.jobPostingUrl) ?? null,
    listingStatus: status.listingStatus,
    listingStatusDetail: status.listingStatusDetail,
    linkedInApplyStatus: status.linkedInApplyStatus,
    linkedInApplyStatusDetail: status.linkedInApplyStatusDetail,
    promotionStatus: status.promotionStatus,
    promotionStatusDetail: status.promotionStatusDetail,
    jobPostingInfo: { listedAt: status.listedAt, expireAt: status.expireAt, location: status.location },
    rawLocation: status.rawLocation,
    source: status.source,
    checkedAt: new Date(status.checkedAt).toISOString(),
  };
}
