/**
 * How LinkedIn's documented answers are read, without servers: token, element and task answers, Retry-After
 * and the retry it sets, whole-call refusals, and the CLOSE element. The full-stack counterparts are in
 * linkedin-answers.test.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  DEFAULT_THROTTLE_DELAY_MS,
  sendNarrowing,
  toActivityFailure,
} from '../../src/activities/activity-failures';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import type { AtsJob } from '../../src/ats/job-store';
import { alreadyOnLinkedIn, readTask, readWholeCallError, statusCode } from '../../src/linkedin/answers';
import { retryAfterMs, type ElementResult } from '../../src/linkedin/client';
import { closeElement, jobElement, type JobPostingElement } from '../../src/linkedin/elements';
import { LinkedInApiError } from '../../src/linkedin/linkedin-api-error';
import { LinkedInCredentialsError } from '../../src/linkedin/linkedin-credentials-error';
import {
  BatchCreateResponse,
  ErrorBody,
  TaskStatusResponse,
  TokenResponse,
} from '../../src/linkedin/schemas';

const NOW = Date.UTC(2026, 0, 15);
const DUPLICATE =
  'Job processing failed due to a client-side error. Please check payload and integration setup. Error ' +
  'details: Trying to create a job with same partnerIdentifier already exists. It is duplicate creation ' +
  'request for a basic job or a non-draft premium job. Dropping the duplicate job posting creation request. ' +
  'LinkedIn job id: 4000000001, externalJobPostingId: job-1';

function atsJob(id: string, overrides: Partial<AtsJob> = {}): AtsJob {
  return {
    externalJobPostingId: id,
    developerApplicationUrn: DEMO_APPLICATION.urn,
    status: 'OPEN',
    title: ' Backend Engineer ',
    description: `<p>${'We build integrations. '.repeat(6)}</p>`,
    companyApplyUrl: `https://careers.example.com/${id}`,
    listedAt: NOW - 86_400_000,
    location: 'Berlin, Germany',
    workplaceType: 'Hybrid',
    employmentStatus: 'FULL_TIME',
    experienceLevel: null,
    ...overrides,
  };
}

function element(id: string, operation: JobPostingElement['jobPostingOperationType'] = 'UPDATE') {
  return { externalJobPostingId: id, jobPostingOperationType: operation };
}

describe('the token answer', () => {
  test.each([
    ['a number', 1800],
    ["a numeric string, as in LinkedIn's own sample", '1800'],
  ])('expires_in as %s is read as seconds', (_case, expiresIn) => {
    expect(TokenResponse.parse({ access_token: 'AQV8', expires_in: expiresIn })).toEqual({
      access_token: 'AQV8',
      expires_in: 1800,
    });
  });

  test.each([['soon'], [''], [-5], ['0'], [null]])('expires_in %j is outside the contract', (expiresIn) => {
    expect(TokenResponse.safeParse({ access_token: 'AQV8', expires_in: expiresIn }).success).toBe(false);
  });
});

describe('element answers of simpleJobPostings', () => {
  test('statuses written as numbers or numeric strings are read alike', () => {
    expect(statusCode(202)).toBe(202);
    expect(statusCode('202')).toBe(202);
    expect(statusCode('accepted')).toBeUndefined();
    const parsed = BatchCreateResponse.parse({
      elements: [
        { id: 'urn:li:simpleJobPostingTask:1', status: '202', location: '/x' },
        { status: '422', error: { message: 'ERROR :: /title :: field is required', status: '422' } },
      ],
    });
    expect(parsed.elements.map((result) => result.status)).toEqual([202, 422]);
  });

  test('a 2xx element without a task id, or a status that is no code, breaks the contract', () => {
    expect(BatchCreateResponse.safeParse({ elements: [{ status: 202 }] }).success).toBe(false);
    expect(BatchCreateResponse.safeParse({ elements: [{ status: 'accepted' }] }).success).toBe(false);
  });

  test('a whole-call error body is read with string codes and the job its errorDetails name', () => {
    expect(
      ErrorBody.parse({
        message: 'bad',
        status: '400',
        serviceErrorCode: '100',
        errorDetails: { externalJobPostingId: 'job-9' },
      }),
    ).toMatchObject({
      message: 'bad',
      status: 400,
      serviceErrorCode: 100,
      errorDetails: { externalJobPostingId: 'job-9' },
    });
  });

  test("an error body in OAuth's shape, as the token endpoint answers, is read too", () => {
    expect(
      ErrorBody.parse({ error: 'invalid_client', error_description: 'Client authentication failed' }),
    ).toMatchObject({ error_description: 'Client authentication failed' });
  });

  test.each([
    ['a CLOSE answered 409', 'CLOSE', { ok: false, status: 409, message: 'Cannot close job' }, true],
    ['an UPDATE answered 409', 'UPDATE', { ok: false, status: 409, message: 'conflict' }, false],
    ['a CREATE refused as a duplicate', 'CREATE', { ok: false, status: 400, message: DUPLICATE }, true],
    [
      'a CREATE refused for its title',
      'CREATE',
      { ok: false, status: 422, message: 'ERROR :: /title' },
      false,
    ],
    [
      'an UPDATE answered with the duplicate words',
      'UPDATE',
      { ok: false, status: 400, message: DUPLICATE },
      false,
    ],
    ['an accepted CLOSE', 'CLOSE', { ok: true, taskUrn: 'urn:li:simpleJobPostingTask:1' }, false],
  ] as const)('%s leaves the job as the ATS has it on LinkedIn: %s', (_case, operation, answer, done) => {
    expect(alreadyOnLinkedIn(operation, answer as ElementResult)).toBe(done);
  });
});

describe('Retry-After', () => {
  test.each([
    ['seconds', 120_000, '120'],
    ['seconds with spaces around', 5_000, ' 5 '],
    ['zero seconds', 0, '0'],
    ['an HTTP date 90 s ahead', 90_000, new Date(NOW + 90_000).toUTCString()],
    ['an HTTP date already past', 0, new Date(NOW - 5_000).toUTCString()],
  ])('given as %s is a wait of %p ms', (_case, ms, header) => {
    expect(retryAfterMs(header, NOW)).toBe(ms);
  });

  test.each([
    ['that is neither seconds nor a date', 'soon'],
    ['that is empty', ''],
    ['that is absent', null],
  ])('%s says nothing, so the default delay applies', (_case, header) => {
    expect(retryAfterMs(header, NOW)).toBeUndefined();
  });
});

describe('the retry of a failed call', () => {
  test("after a 429 waits LinkedIn's Retry-After, or the default delay when it gave none", () => {
    const throttled = (retryAfter: number | undefined) =>
      toActivityFailure(new LinkedInApiError(429, 'Too many requests', undefined, retryAfter));
    const told = throttled(7_000);
    expect(told).toBeInstanceOf(ApplicationFailure);
    expect(told).toMatchObject({ type: 'LinkedInThrottled', nonRetryable: false, nextRetryDelay: 7_000 });
    expect(throttled(undefined)).toMatchObject({
      type: 'LinkedInThrottled',
      nonRetryable: false,
      nextRetryDelay: DEFAULT_THROTTLE_DELAY_MS,
    });
  });

  test('after a 5xx is left to the backoff, even with a Retry-After', () => {
    const unavailable = toActivityFailure(new LinkedInApiError(503, 'Service unavailable', undefined, 7_000));
    expect(unavailable).toMatchObject({ type: 'LinkedInUnavailable', nonRetryable: false });
    expect(unavailable).toHaveProperty('nextRetryDelay', undefined);
  });
});

describe('task answers of simpleJobPostingTasks', () => {
  test.each([
    ['SUCCEEDED', undefined, 'SUCCEEDED', undefined],
    ['IN_PROGRESS', undefined, 'IN_PROGRESS', undefined],
    ['FAILED', 'dropped', 'FAILED', 'dropped'],
    ['PROCESSED', undefined, 'PROCESSED', undefined],
    ['PROCESSED', '  ', 'PROCESSED', undefined],
    [
      'PROCESSED',
      'Invalid Field: /city',
      'FAILED',
      'processed by LinkedIn but failed payload validation: Invalid Field: /city',
    ],
    [
      'FAILED',
      'a job with same partnerIdentifier already exists',
      'SUCCEEDED',
      'a job with same partnerIdentifier already exists',
    ],
    ['QUEUED', undefined, 'IN_PROGRESS', undefined],
    [3, undefined, 'IN_PROGRESS', undefined],
    ['3', undefined, 'IN_PROGRESS', undefined],
    [null, undefined, 'IN_PROGRESS', undefined],
    ['succeeded', undefined, 'IN_PROGRESS', undefined],
  ])('status %j with errorMessage %j reads as %s', (status, errorMessage, read, message) => {
    expect(readTask(status, errorMessage)).toEqual({ status: read, errorMessage: message });
  });

  test('an undocumented status or a numeric one is within the contract', () => {
    const answer = {
      results: {
        'urn:li:simpleJobPostingTask:1': { id: 'urn:li:simpleJobPostingTask:1', status: 'QUEUED' },
        'urn:li:simpleJobPostingTask:2': {
          id: 'urn:li:simpleJobPostingTask:2',
          status: 7,
          errorMessage: null,
        },
      },
      statuses: {},
      errors: {},
    };
    expect(TaskStatusResponse.safeParse(answer).success).toBe(true);
  });
});

describe('whole-call refusals', () => {
  const ids = ['job-1', 'job-10', 'job-100'];
  const refusal = (status: number, message: string, named?: string) =>
    new LinkedInApiError(status, message, 0, undefined, named);

  test('a 400 naming one job of the call by its externalPartnerId names that job, never a prefix of it', () => {
    const message =
      'Invalid company apply url for job with externalPartnerId job-10, taskUrn urn:li:simpleJobPostingTask:abc';
    expect(readWholeCallError(refusal(400, message), 'UPDATE', ids)).toEqual({
      kind: 'names-job',
      index: 1,
      status: 400,
      message,
    });
    expect(readWholeCallError(refusal(400, 'externalPartnerId job-1'), 'CREATE', ids)).toMatchObject({
      kind: 'names-job',
      index: 0,
    });
  });

  test('a refusal naming the job in errorDetails names it', () => {
    expect(readWholeCallError(refusal(422, 'bad job', 'job-100'), 'UPDATE', ids)).toMatchObject({
      kind: 'names-job',
      index: 2,
    });
  });

  test('a refusal naming no job of the call, a transient one, a token refusal and refused credentials stand for the whole call', () => {
    expect(readWholeCallError(refusal(400, 'externalPartnerId job-7, taskUrn x'), 'UPDATE', ids)).toEqual({
      kind: 'whole-call',
    });
    expect(
      readWholeCallError(
        refusal(400, 'Either context or company or companyPageUrl or companyName must be provided'),
        'UPDATE',
        ids,
      ),
    ).toEqual({ kind: 'whole-call' });
    for (const status of [401, 429, 500, 504]) {
      expect(readWholeCallError(refusal(status, 'externalPartnerId job-1'), 'UPDATE', ids)).toEqual({
        kind: 'whole-call',
      });
    }
    const credentials = new LinkedInCredentialsError(401, 'externalPartnerId job-1', undefined, undefined);
    expect(readWholeCallError(credentials, 'UPDATE', ids)).toEqual({ kind: 'whole-call' });
    expect(readWholeCallError(new Error('externalPartnerId job-1'), 'UPDATE', ids)).toEqual({
      kind: 'whole-call',
    });
  });

  test('a 409 to CLOSE is a close conflict, a 409 to anything else stands for the whole call', () => {
    const message = 'Cannot close job which is already closed or does not exist';
    expect(readWholeCallError(refusal(409, message), 'CLOSE', ids)).toEqual({
      kind: 'close-conflict',
      status: 409,
      message,
    });
    expect(readWholeCallError(refusal(409, message), 'UPDATE', ids)).toEqual({ kind: 'whole-call' });
  });
});

describe('sending a call whose refusal names one job', () => {
  /** A LinkedIn that refuses every call holding `bad` (naming it) and accepts the others. */
  function linkedIn(bad: readonly string[], status = 400) {
    const calls: string[][] = [];
    const send = (elements: JobPostingElement[]): Promise<ElementResult[]> => {
      const ids = elements.map((e) => e.externalJobPostingId);
      calls.push(ids);
      const named = ids.find((id) => bad.includes(id));
      if (named !== undefined) {
        return Promise.reject(
          new LinkedInApiError(
            status,
            `Invalid company apply url for job with externalPartnerId ${named}, taskUrn urn:li:simpleJobPostingTask:1`,
            0,
            undefined,
          ),
        );
      }
      return Promise.resolve(ids.map((id) => ({ ok: true, taskUrn: `urn:li:simpleJobPostingTask:${id}` })));
    };
    return { calls, send };
  }

  test('the named jobs are answered with the refusal and the others are sent again, answers in order', async () => {
    const { calls, send } = linkedIn(['b', 'd']);
    const answers = await sendNarrowing(
      ['a', 'b', 'c', 'd'].map((id) => element(id)),
      send,
    );
    expect(calls).toEqual([
      ['a', 'b', 'c', 'd'],
      ['a', 'c', 'd'],
      ['a', 'c'],
    ]);
    expect(answers).toEqual([
      { ok: true, taskUrn: 'urn:li:simpleJobPostingTask:a' },
      { ok: false, status: 400, message: expect.stringContaining('externalPartnerId b,') as unknown },
      { ok: true, taskUrn: 'urn:li:simpleJobPostingTask:c' },
      { ok: false, status: 400, message: expect.stringContaining('externalPartnerId d,') as unknown },
    ]);
  });

  test('a call of only the named job needs no second call', async () => {
    const { calls, send } = linkedIn(['a']);
    expect(await sendNarrowing([element('a')], send)).toEqual([
      { ok: false, status: 400, message: expect.stringContaining('externalPartnerId a,') as unknown },
    ]);
    expect(calls).toHaveLength(1);
  });

  test('a CLOSE call refused 409 is split to find which job LinkedIn no longer has open', async () => {
    const calls: string[][] = [];
    const send = (elements: JobPostingElement[]): Promise<ElementResult[]> => {
      const ids = elements.map((e) => e.externalJobPostingId);
      calls.push(ids);
      if (ids.includes('gone')) {
        return Promise.reject(
          new LinkedInApiError(
            409,
            'Cannot close job which is already closed or does not exist',
            0,
            undefined,
          ),
        );
      }
      return Promise.resolve(ids.map((id) => ({ ok: true, taskUrn: `urn:li:simpleJobPostingTask:${id}` })));
    };
    const answers = await sendNarrowing([element('open', 'CLOSE'), element('gone', 'CLOSE')], send);
    expect(calls).toEqual([['open', 'gone'], ['open'], ['gone']]);
    expect(answers.map((answer) => (answer.ok ? 'sent' : answer.status))).toEqual(['sent', 409]);
  });

  test('a refusal that names no job of the call is thrown as it is', async () => {
    const refusal = new LinkedInApiError(403, 'Not enough permissions', 100, undefined);
    await expect(sendNarrowing([element('a')], () => Promise.reject(refusal))).rejects.toBe(refusal);
  });
});

describe('the CLOSE element', () => {
  test('is the whole job, as CREATE and UPDATE send it, with CLOSE as its operation', () => {
    const job = atsJob('job-1', { status: 'CLOSED' });
    const close = closeElement(job, DEMO_APPLICATION, NOW);
    const update = jobElement(job, DEMO_APPLICATION, 'UPDATE', NOW);
    if (!('element' in close) || !('element' in update)) throw new Error('expected elements');
    expect(close.element).toEqual({ ...update.element, jobPostingOperationType: 'CLOSE' });
    for (const field of [
      'companyApplyUrl',
      'externalJobPostingId',
      'jobPostingOperationType',
      'description',
      'title',
      'listedAt',
      'location',
      'integrationContext',
    ]) {
      expect(close.element).toHaveProperty(field);
    }
  });

  test("is not built from ATS data LinkedIn's rules refuse", () => {
    expect(closeElement(atsJob('job-1', { description: 'short' }), DEMO_APPLICATION, NOW)).toEqual({
      problem: expect.stringContaining('description is shorter than 100 characters') as unknown,
    });
  });
});

test('a job is never refused for its id length before LinkedIn answered', () => {
  const id = 'x'.repeat(150);
  const mapped = jobElement(atsJob(id), DEMO_APPLICATION, 'UPDATE', NOW);
  expect(mapped).toMatchObject({ element: { externalJobPostingId: id } });
});
