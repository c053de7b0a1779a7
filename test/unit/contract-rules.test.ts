import {
  applicationIdOf,
  applicationOfWorkflowId,
  canonicalRequest,
  describeNotificationError,
  JobResyncNotification,
  summaryOf,
  WORKFLOW_TYPE,
} from '../../src/contract';
import { workflowIdFor } from '../../src/api/workflow-id';

/** The notification contract at its edges: what is refused and how, and the names a resync gets. */
const URN = 'urn:li:developerApplication:12345';

function refusal(value: unknown): { message: string; paths: unknown[] } {
  const parsed = JobResyncNotification.safeParse(value);
  if (parsed.success) throw new Error('the notification was accepted');
  return {
    message: describeNotificationError(parsed.error),
    paths: parsed.error.issues.map((issue) => issue.path),
  };
}

test('the workflow type is resyncJobs', () => {
  expect(WORKFLOW_TYPE).toBe('resyncJobs');
});

test.each([`x${URN}`, `${URN}x`, `${URN}\n`])('the urn %j is refused', (urn) => {
  expect(refusal({ developerApplicationUrn: urn, type: 'RESYNC_JOBS', syncAllOpenJobs: true }).message).toBe(
    'developerApplicationUrn must look like urn:li:developerApplication:{numeric id}',
  );
});

test('problems with the ids are reported on externalJobPostingIds', () => {
  const base = { developerApplicationUrn: URN, type: 'RESYNC_JOBS', syncAllOpenJobs: false };
  expect(refusal(base).paths).toEqual([['externalJobPostingIds']]);
  expect(refusal({ ...base, externalJobPostingIds: 5 }).paths).toEqual([['externalJobPostingIds']]);
});

test('every id that is wrong is named with its index, joined by semicolons, at most five', () => {
  const ids = ['ok', 1, '', 2, 3, 4, 5];
  expect(
    refusal({
      developerApplicationUrn: URN,
      type: 'RESYNC_JOBS',
      syncAllOpenJobs: false,
      externalJobPostingIds: ids,
    }).message,
  ).toBe(
    'externalJobPostingIds[1] must be a string; externalJobPostingIds[2] must not be empty; externalJobPostingIds[3] must be a string; externalJobPostingIds[4] must be a string; externalJobPostingIds[5] must be a string',
  );
});

test('a problem of another field is its message alone, even with an index in its path', () => {
  const parsed = JobResyncNotification.safeParse({
    developerApplicationUrn: 5,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: 'x',
  });
  if (parsed.success) throw new Error('accepted');
  expect(describeNotificationError(parsed.error).split('; ')).toHaveLength(parsed.error.issues.length);
  expect(describeNotificationError(parsed.error)).not.toMatch(/\[/);
});

test('a sync-all request ignores the ids listed beside it', () => {
  expect(
    canonicalRequest({ developerApplicationUrn: URN, syncAllOpenJobs: true, externalJobPostingIds: ['a'] }),
  ).toEqual({
    developerApplicationUrn: URN,
    syncAllOpenJobs: true,
    externalJobPostingIds: [],
  });
  expect(canonicalRequest({ developerApplicationUrn: URN, syncAllOpenJobs: false })).toEqual({
    developerApplicationUrn: URN,
    syncAllOpenJobs: false,
    externalJobPostingIds: [],
  });
});

test('a urn that is not a developer application has no application id', () => {
  expect(() => applicationIdOf('urn:li:organization:1')).toThrow(
    'not a developer application urn: urn:li:organization:1',
  );
});

test('the application is read back from a resync id, with or without a prefix, and from its followers', () => {
  const id = workflowIdFor({ developerApplicationUrn: URN, syncAllOpenJobs: true }, 'eu-');
  expect(applicationOfWorkflowId(id)).toBe(URN);
  expect(applicationOfWorkflowId(id.slice('eu-'.length))).toBe(URN);
  expect(applicationOfWorkflowId(`${id}-tasks-abc-r0-1-update`)).toBe(URN);
  expect(applicationOfWorkflowId('xresync-app-12345-all')).toBeUndefined();
  expect(applicationOfWorkflowId('resync-app-x-all')).toBeUndefined();
});

test('the summary counts one job in the singular', () => {
  expect(
    summaryOf({ developerApplicationUrn: URN, syncAllOpenJobs: false, externalJobPostingIds: ['a'] }),
  ).toBe(`Resync 1 job for ${URN}`);
});
