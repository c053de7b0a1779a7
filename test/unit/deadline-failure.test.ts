import { ApplicationFailure } from '@temporalio/common';
import type { ResyncResult } from '../../src/contract';
import { deadlineFailure, deadlineMiss, type DeadlineMissInput } from '../../src/workflows/deadline-failure';

const base: DeadlineMissInput = {
  deadlineMs: 30 * 60_000,
  syncAllOpenJobs: false,
  abandoned: [],
  abandonedOperation: 'UPDATE',
  createQueue: [],
  remaining: [],
};

describe('deadlineMiss', () => {
  test('names the jobs not sent, each once, apart from those of the call the deadline abandoned', () => {
    const miss = deadlineMiss({
      ...base,
      abandoned: ['a', 'b'],
      createQueue: ['b', 'c'],
      remaining: ['a', 'c', 'd'],
    });
    expect(miss.notSent).toEqual(['c', 'd']);
    expect(miss.notSentCount).toBe(2);
    expect(miss.abandoned).toEqual(['a', 'b']);
    expect(miss.requestedDelta).toBe(0);
    expect(miss.message).toBe(
      'the 1800 s deadline passed with 2 jobs not sent: c, d; 2 jobs in a call abandoned unanswered ' +
        '(LinkedIn may have received them)',
    );
  });

  test('a sync-all counts the open jobs never listed, and they count as requested', () => {
    const miss = deadlineMiss({
      ...base,
      syncAllOpenJobs: true,
      abandoned: ['a'],
      remaining: ['b'],
      unlisted: { count: 3000, sample: ['x', 'y'] },
    });
    expect(miss.notSentCount).toBe(3001);
    expect(miss.notSent).toEqual(['b', 'x', 'y']);
    // The abandoned UPDATE batch had not been counted as requested yet.
    expect(miss.requestedDelta).toBe(3002);
    expect(miss.message).toMatch(/^the 1800 s deadline passed with 3001 jobs not sent: b, x, y, …; 1 job in/);
  });

  test('names the jobs a report found missing after the deadline; a sync-all had them requested already', () => {
    const miss = deadlineMiss({
      ...base,
      syncAllOpenJobs: true,
      missedEarlier: ['m'],
      createQueue: ['c'],
      remaining: ['r'],
    });
    expect(miss.notSent).toEqual(['m', 'c', 'r']);
    expect(miss.notSentCount).toBe(3);
    expect(miss.missedEarlier).toEqual(['m']);
    expect(miss.requestedDelta).toBe(1);
  });

  test('says so when the ATS could not be read for the jobs never listed', () => {
    const miss = deadlineMiss({ ...base, syncAllOpenJobs: true, unlisted: 'unread' });
    expect(miss.message).toBe(
      'the 1800 s deadline passed with 0 jobs not sent (and the ATS could not be read for the open jobs never listed)',
    );
  });

  test('shows ten jobs in the message and lists up to 1,000 in the failure', () => {
    const many = Array.from({ length: 1_500 }, (_, i) => `job-${i}`);
    const miss = deadlineMiss({ ...base, remaining: many });
    expect(miss.message.split(', ')).toHaveLength(11);
    const result = { outcome: 'DEADLINE_EXCEEDED' } as ResyncResult;
    const failure = deadlineFailure(miss, result);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('ResyncDeadlineExceeded');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({ notSentCount: 1_500, outcomeUnknown: [], result });
    expect((failure.details?.[0] as { notSent: string[] }).notSent).toHaveLength(1_000);
  });
});
