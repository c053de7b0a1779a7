import { workflowIdFor } from '../../src/api/workflow-id';
import {
  applicationOfWorkflowId,
  followerWorkflowId,
  parseFollowerWorkflowId,
  parseResyncWorkflowId,
  type FollowerOf,
} from '../../src/contract';

const notification = {
  developerApplicationUrn: 'urn:li:developerApplication:12345',
  syncAllOpenJobs: false,
  externalJobPostingIds: ['job-2', 'job-1'],
};

describe('workflow ids', () => {
  test('a resync id reads back as its application, scope and digest, with or without a prefix', () => {
    const id = workflowIdFor(notification, 'staging-');
    expect(parseResyncWorkflowId(id)).toEqual({
      prefix: 'staging-',
      developerApplicationUrn: 'urn:li:developerApplication:12345',
      scope: '2-jobs',
      digest: expect.stringMatching(/^[0-9a-f]{16}$/) as string,
    });
    expect(parseResyncWorkflowId(workflowIdFor({ ...notification, syncAllOpenJobs: true }))).toMatchObject({
      prefix: '',
      scope: 'all-open-jobs',
    });
    expect(parseResyncWorkflowId('some-other-workflow')).toBeUndefined();
  });

  test('a follower id reads back as what named it, keeping the last 12 characters of the run id', () => {
    const follower: FollowerOf = {
      resyncWorkflowId: workflowIdFor(notification, 't1234abcd-'),
      resyncRunId: '019356a1-7c3e-7b44-9f0e-5d2c8a1b3e4f',
      round: 2,
      batchNumber: 17,
      operation: 'CLOSE',
    };
    const id = followerWorkflowId(follower);
    expect(id).toBe(`${follower.resyncWorkflowId}-tasks-5d2c8a1b3e4f-r2-17-close`);
    expect(parseFollowerWorkflowId(id)).toEqual({ ...follower, resyncRunId: '5d2c8a1b3e4f' });
    expect(parseFollowerWorkflowId(follower.resyncWorkflowId)).toBeUndefined();
  });

  test('a resync and each of its followers name the application', () => {
    const resync = workflowIdFor(notification, 'x-');
    const follower = followerWorkflowId({
      resyncWorkflowId: resync,
      resyncRunId: 'abcdef012345',
      round: 0,
      batchNumber: 1,
      operation: 'UPDATE',
    });
    expect(applicationOfWorkflowId(resync)).toBe('urn:li:developerApplication:12345');
    expect(applicationOfWorkflowId(follower)).toBe('urn:li:developerApplication:12345');
    expect(applicationOfWorkflowId('hand-started')).toBeUndefined();
  });
});
