import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import type { AtsJob } from '../../src/ats/job-store';
import {
  applyAnswers,
  batchResults,
  MAX_ELEMENT_TRIES,
  planBatch,
  refuseCall,
} from '../../src/activities/posting/batch-plan';
import { BatchProgress } from '../../src/activities/posting/batch-progress';
import { LinkedInApiError } from '../../src/linkedin/linkedin-api-error';
import { LinkedInCredentialsError } from '../../src/linkedin/linkedin-credentials-error';
import { validateElement } from '../../tools/sandbox/element-rules';

const NOW = Date.UTC(2026, 10, 28);

function job(id: string, change: Partial<AtsJob> = {}): AtsJob {
  return {
    externalJobPostingId: id,
    developerApplicationUrn: DEMO_APPLICATION.urn,
    status: 'OPEN',
    title: `Engineer ${id}`,
    description: 'A job worth having. '.repeat(10),
    companyApplyUrl: `https://jobs.example.com/${id}`,
    listedAt: NOW - 86_400_000,
    location: 'Austin, TX',
    workplaceType: 'Hybrid',
    employmentStatus: 'FULL_TIME',
    experienceLevel: 'MID_SENIOR_LEVEL',
    ...change,
  };
}

const firstAttempt = (operation: 'UPDATE' | 'CREATE', ids: string[]) =>
  BatchProgress.resume({ attempt: 1, heartbeatDetails: undefined }, operation, ids);

const ids = (elements: Array<{ externalJobPostingId: string }>) =>
  elements.map((e) => e.externalJobPostingId);

describe('planBatch', () => {
  test('open jobs go with the operation and closed ones with CLOSE; the ATS answers for the rest', () => {
    const batch = { externalJobPostingIds: ['a', 'b', 'c', 'd'], operation: 'UPDATE' as const };
    const progress = firstAttempt('UPDATE', batch.externalJobPostingIds);
    const jobs = [job('a'), job('b', { status: 'CLOSED' }), job('c', { title: ' ' })];
    const calls = planBatch(batch, jobs, DEMO_APPLICATION, progress, NOW);
    expect(
      calls.map((call) => [call.elements.map((e) => e.jobPostingOperationType), ids(call.elements)]),
    ).toEqual([
      [['UPDATE'], ['a']],
      [['CLOSE'], ['b']],
    ]);
    expect(progress.answered.get('c')).toMatchObject({
      fate: 'REJECTED',
      reason: expect.stringContaining('title is empty') as string,
    });
    expect(progress.answered.get('d')).toEqual({
      externalJobPostingId: 'd',
      fate: 'NOT_IN_ATS',
      reason: 'the ATS holds no job with this id',
    });
  });

  test('a job closed in the ATS is sent with CLOSE as the whole job, every field LinkedIn requires included', () => {
    const batch = { externalJobPostingIds: ['b'], operation: 'UPDATE' as const };
    const closed = job('b', { status: 'CLOSED' });
    const [call, ...others] = planBatch(
      batch,
      [closed],
      DEMO_APPLICATION,
      firstAttempt('UPDATE', ['b']),
      NOW,
    );
    expect(others).toEqual([]);
    // Close Jobs: "re-post the job ... but set jobPostingOperationType to CLOSE".
    expect(call?.elements).toEqual([
      {
        externalJobPostingId: 'b',
        jobPostingOperationType: 'CLOSE',
        integrationContext: DEMO_APPLICATION.integrationContext,
        title: closed.title,
        description: closed.description,
        companyApplyUrl: closed.companyApplyUrl,
        listedAt: closed.listedAt,
        location: closed.location,
        workplaceTypes: ['Hybrid'],
        employmentStatus: 'FULL_TIME',
        experienceLevel: 'MID_SENIOR_LEVEL',
      },
    ]);
    // The sandbox's copy of LinkedIn's element rules, which require those fields of a CLOSE too.
    expect(validateElement(call?.elements[0], NOW)).toMatchObject({ operation: 'CLOSE', errors: [] });
  });

  test('a retried CREATE asks with UPDATE about the CREATEs whose answer was lost, and skips answered jobs', () => {
    const batch = { externalJobPostingIds: ['a', 'b', 'c'], operation: 'CREATE' as const };
    const progress = BatchProgress.resume(
      {
        attempt: 2,
        heartbeatDetails: {
          attempt: 1,
          final: true,
          answered: [{ externalJobPostingId: 'c', fate: 'CREATED', confirmation: 'PENDING', taskUrn: 't' }],
          unanswered: ['a'],
        },
      },
      'CREATE',
      batch.externalJobPostingIds,
    );
    const calls = planBatch(batch, [job('a'), job('b'), job('c')], DEMO_APPLICATION, progress, NOW);
    expect(calls.map((call) => [call.probes, call.createsJobs, ids(call.elements)])).toEqual([
      [true, false, ['a']],
      [false, true, ['b']],
    ]);
    expect(calls[0]?.elements[0]?.jobPostingOperationType).toBe('UPDATE');
  });
});

describe('applyAnswers', () => {
  const plan = (operation: 'UPDATE' | 'CREATE', jobs: AtsJob[]) => {
    const progress = firstAttempt(operation, ids(jobs));
    const [call] = planBatch(
      { externalJobPostingIds: ids(jobs), operation },
      jobs,
      DEMO_APPLICATION,
      progress,
      NOW,
    );
    if (!call) throw new Error('nothing planned');
    return { call, progress };
  };

  test('accepted elements are sent, refused ones rejected with LinkedIn’s message', () => {
    const { call, progress } = plan('UPDATE', [job('a'), job('b')]);
    const refused = applyAnswers(
      call,
      [
        { ok: true, taskUrn: 'urn:li:simpleJobPostingTask:1' },
        { ok: false, status: 422, message: 'bad location' },
      ],
      progress,
    );
    expect(refused).toBeUndefined();
    expect(batchResults(['a', 'b'], progress.answered)).toEqual([
      {
        externalJobPostingId: 'a',
        fate: 'UPDATED',
        confirmation: 'PENDING',
        taskUrn: 'urn:li:simpleJobPostingTask:1',
      },
      {
        externalJobPostingId: 'b',
        fate: 'REJECTED',
        reason: 'LinkedIn rejected the job (422): bad location',
      },
    ]);
  });

  test('an element refused for now is retried alone: a throttling failure after the default delay', () => {
    const { call, progress } = plan('UPDATE', [job('a'), job('b')]);
    const refused = applyAnswers(
      call,
      [
        { ok: false, status: 429, message: 'slow down' },
        { ok: true, taskUrn: 't' },
      ],
      progress,
    );
    expect(refused).toMatchObject({ type: 'LinkedInThrottled', retry: 'after', delayMs: 30_000 });
    expect(progress.answered.has('a')).toBe(false);
    expect(batchResults(['a'], progress.answered)[0]).toMatchObject({
      reason: 'LinkedIn gave no answer for it',
    });
  });

  test('an element refused for now on every try carries LinkedIn last answer after the last try, across attempts', () => {
    expect(MAX_ELEMENT_TRIES).toBe(3);
    let progress = firstAttempt('UPDATE', ['a']);
    for (let attempt = 1; attempt <= MAX_ELEMENT_TRIES; attempt++) {
      // Each attempt resumes from the details the one before left as it failed.
      if (attempt > 1)
        progress = BatchProgress.resume({ attempt, heartbeatDetails: progress.details(true) }, 'UPDATE', [
          'a',
        ]);
      const [call] = planBatch(
        { externalJobPostingIds: ['a'], operation: 'UPDATE' },
        [job('a')],
        DEMO_APPLICATION,
        progress,
        NOW,
      );
      if (!call) throw new Error('nothing planned');
      const refused = applyAnswers(call, [{ ok: false, status: 500, message: 'boom' }], progress);
      expect(refused === undefined).toBe(attempt === MAX_ELEMENT_TRIES);
    }
    expect(progress.answered.get('a')).toEqual({
      externalJobPostingId: 'a',
      fate: 'REJECTED',
      reason: 'LinkedIn refused the job 3 times for now; its last answer (500): boom',
    });
  });

  test('a CLOSE refused 409 and a CREATE refused as a duplicate are done and confirmed', () => {
    const closing = plan('UPDATE', [job('a', { status: 'CLOSED' })]);
    applyAnswers(closing.call, [{ ok: false, status: 409, message: 'Cannot close job' }], closing.progress);
    expect(closing.progress.answered.get('a')).toMatchObject({ fate: 'CLOSED', confirmation: 'CONFIRMED' });
    const creating = plan('CREATE', [job('b')]);
    const duplicate = { ok: false as const, status: 400, message: 'duplicate creation request' };
    applyAnswers(creating.call, [duplicate], creating.progress);
    expect(creating.progress.answered.get('b')).toMatchObject({ fate: 'CREATED', confirmation: 'CONFIRMED' });
  });
});

describe('refuseCall', () => {
  test('a permanent refusal rejects every job of the call and clears its CREATEs from the unanswered', () => {
    const progress = firstAttempt('CREATE', ['a', 'b']);
    const [call] = planBatch(
      { externalJobPostingIds: ['a', 'b'], operation: 'CREATE' },
      [job('a'), job('b')],
      DEMO_APPLICATION,
      progress,
      NOW,
    );
    if (!call) throw new Error('nothing planned');
    progress.unanswered.add('a');
    expect(refuseCall(call, new LinkedInApiError(403, 'forbidden', undefined, undefined), progress)).toBe(
      true,
    );
    expect(progress.unanswered.size).toBe(0);
    expect(progress.answered.get('b')).toMatchObject({
      fate: 'REJECTED',
      reason: 'LinkedIn refused the call (403): forbidden',
    });
  });

  test('a transient failure leaves the call to Temporal, its CREATEs still possibly on LinkedIn', () => {
    const progress = firstAttempt('CREATE', ['a']);
    const [call] = planBatch(
      { externalJobPostingIds: ['a'], operation: 'CREATE' },
      [job('a')],
      DEMO_APPLICATION,
      progress,
      NOW,
    );
    if (!call) throw new Error('nothing planned');
    progress.unanswered.add('a');
    expect(refuseCall(call, new LinkedInApiError(503, 'down', undefined, undefined), progress)).toBe(false);
    expect(progress.unanswered.has('a')).toBe(true);
    const credentials = new LinkedInCredentialsError(
      401,
      'LinkedIn refused the credentials',
      undefined,
      undefined,
    );
    expect(refuseCall(call, credentials, progress)).toBe(true);
    expect(progress.answered.get('a')).toMatchObject({ reason: 'LinkedIn refused the credentials' });
  });
});
