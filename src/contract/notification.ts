import { z } from 'zod';
import { echo } from '../echo';
import { DEVELOPER_APPLICATION_URN_PATTERN } from './urn';

/**
 * The longest id a notification may carry, urns included: LinkedIn's limit on `externalJobPostingId`
 * (200 characters in its OpenAPI). Whatever is longer comes from no LinkedIn and is refused before it
 * reaches a log, a workflow or a row.
 */
export const MAX_ID_LENGTH = 200;

/** What is wrong with an id over MAX_ID_LENGTH, after its field's name. */
export function longerThanAllowed(value: unknown): string {
  return `is longer than ${MAX_ID_LENGTH} characters (${typeof value === 'string' ? value.length : '?'})`;
}

/** A required string id of at most MAX_ID_LENGTH characters, checked before anything else is. */
export function boundedId(field: string, notAString = `${field} must be a string`) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : notAString) })
    .max(MAX_ID_LENGTH, { error: (issue) => `${field} ${longerThanAllowed(issue.input)}`, abort: true });
}

/**
 * A developer application's urn, `urn:li:developerApplication:{numeric id}`; `field` names it in errors,
 * `notAString` replaces the message for a value of another type.
 */
export function developerApplicationUrn(field: string, notAString = `${field} must be a string`) {
  return boundedId(field, notAString).regex(DEVELOPER_APPLICATION_URN_PATTERN, {
    error: `${field} must look like urn:li:developerApplication:{numeric id}`,
  });
}

const requiredString = (field: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
  });

const requiredBoolean = (field: string) =>
  z.boolean({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a boolean`),
  });

const NOTIFICATION_FIELDS = {
  developerApplicationUrn: developerApplicationUrn('developerApplicationUrn'),
  type: requiredString('type').refine((type) => type === 'RESYNC_JOBS', {
    error: (issue) =>
      `type ${echo(JSON.stringify(issue.input))} is not supported; only RESYNC_JOBS is handled here`,
  }),
  syncAllOpenJobs: requiredBoolean('syncAllOpenJobs'),
  // Read below, once syncAllOpenJobs says whether the ids matter at all.
  externalJobPostingIds: z.unknown().optional(),
};

/**
 * LinkedIn's Job Resync Notification (linkedin.md §1). Unknown extra fields are tolerated, and so is
 * whatever LinkedIn could mean plainly: LinkedIn delivers again on every answer but 200, so a 400 for a
 * notification that was understood would repeat it forever and leave its valid part undone.
 * - syncAllOpenJobs true: every open job goes, so `externalJobPostingIds` is ignored whatever it holds
 *   (absent, null, ids of any length or content).
 * - syncAllOpenJobs false: the ids as a list, a single string read as a list of one; each id at most
 *   MAX_ID_LENGTH characters (the ATS answers NOT_IN_ATS for the ones it does not hold). At least one id is
 *   required.
 * The output lists the ids (none for a sync-all); `canonicalRequest` de-duplicates and sorts them.
 */
export const JobResyncNotification = z
  .object(NOTIFICATION_FIELDS, { error: 'the notification must be a JSON object' })
  .transform((notification, ctx): JobResyncNotification => {
    const { externalJobPostingIds: ids, ...rest } = notification;
    if (notification.syncAllOpenJobs) return { ...rest };
    const listed = readIds(ids, ctx);
    if (listed === undefined) return z.NEVER;
    return { ...rest, externalJobPostingIds: listed };
  });
export interface JobResyncNotification {
  developerApplicationUrn: string;
  type: string;
  syncAllOpenJobs: boolean;
  /** Absent for a sync-all. */
  externalJobPostingIds?: string[];
}

/** The ids of a notification with syncAllOpenJobs false, or undefined after reporting what is wrong. */
function readIds(value: unknown, ctx: z.RefinementCtx): string[] | undefined {
  const none = 'externalJobPostingIds must list at least one job when syncAllOpenJobs is false';
  const list = typeof value === 'string' ? [value] : value;
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    ctx.addIssue({ code: 'custom', path: ['externalJobPostingIds'], message: none });
    return undefined;
  }
  if (!Array.isArray(list)) {
    ctx.addIssue({
      code: 'custom',
      path: ['externalJobPostingIds'],
      message: 'externalJobPostingIds must be an array of strings',
    });
    return undefined;
  }
  const ids: string[] = [];
  list.forEach((id: unknown, index) => {
    if (typeof id !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['externalJobPostingIds', index], message: 'must be a string' });
    } else if (id === '') {
      ctx.addIssue({ code: 'custom', path: ['externalJobPostingIds', index], message: 'must not be empty' });
    } else if (id.length > MAX_ID_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalJobPostingIds', index],
        message: longerThanAllowed(id),
      });
    } else ids.push(id);
  });
  return ids.length === list.length ? ids : undefined;
}

/** One readable sentence naming what is wrong, for LinkedIn's `errorMessage`. */
export function describeNotificationError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const [field, ...rest] = issue.path;
      // Messages of top-level fields already name the field; array elements get their index.
      if (field === 'externalJobPostingIds' && typeof rest[0] === 'number') {
        return `externalJobPostingIds[${rest[0]}] ${issue.message}`;
      }
      return issue.message;
    })
    .join('; ');
}

/** What a resync is asked to do, independent of how LinkedIn worded it. */
export interface CanonicalRequest {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  /** Unique and sorted; empty for a sync-all. */
  externalJobPostingIds: string[];
}

/**
 * The request a notification makes: the workflow id's digest is taken over this, so equivalent deliveries
 * (ids repeated or reordered, one id as a string, ids beside syncAllOpenJobs) join.
 */
export function canonicalRequest(notification: {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  externalJobPostingIds?: readonly string[] | undefined;
}): CanonicalRequest {
  return {
    developerApplicationUrn: notification.developerApplicationUrn,
    syncAllOpenJobs: notification.syncAllOpenJobs,
    // With syncAllOpenJobs every open job goes anyway, so listed ids change nothing.
    externalJobPostingIds: notification.syncAllOpenJobs
      ? []
      : [...new Set(notification.externalJobPostingIds ?? [])].sort(),
  };
}

export function summaryOf(request: {
  developerApplicationUrn: string;
  syncAllOpenJobs: boolean;
  externalJobPostingIds: readonly string[];
}): string {
  const what = request.syncAllOpenJobs
    ? 'all open jobs'
    : `${request.externalJobPostingIds.length} job${request.externalJobPostingIds.length === 1 ? '' : 's'}`;
  return `Resync ${what} for ${request.developerApplicationUrn}`;
}
