import type { JobResult, TaskReport } from '../../src/contract';
import { Ledger } from '../../src/workflows/ledger';

const fresh = (requested: number) => new Ledger(Ledger.fresh(requested));
const updated = (id: string, taskUrn = `urn:li:simpleJobPostingTask:${id}`): JobResult => ({
  externalJobPostingId: id,
  fate: 'UPDATED',
  confirmation: 'PENDING',
  taskUrn,
});
const report = (change: Partial<TaskReport>): TaskReport => ({
  operation: 'UPDATE',
  confirmed: [],
  failed: [],
  needsCreate: [],
  unconfirmed: [],
  ...change,
});
const never = () => {
  throw new Error('no warning expected');
};

describe('Ledger', () => {
  test('a batch is counted by fate and its accepted jobs are grouped for their followers by operation', () => {
    const ledger = fresh(4);
    const toFollow = ledger.recordBatch(
      [
        updated('a'),
        { externalJobPostingId: 'b', fate: 'CLOSED', confirmation: 'PENDING', taskUrn: 'task-b' },
        { externalJobPostingId: 'c', fate: 'CLOSED', confirmation: 'CONFIRMED' },
        { externalJobPostingId: 'd', fate: 'NOT_IN_ATS', reason: 'the ATS holds no job with this id' },
      ],
      'UPDATE',
      false,
    );
    expect(toFollow).toEqual([
      ['UPDATE', [['urn:li:simpleJobPostingTask:a', 'a']]],
      ['CLOSE', [['task-b', 'b']]],
    ]);
    expect(ledger.totals).toMatchObject({ updated: 1, closed: 2, notInAts: 1, confirmed: 1 });
    expect(ledger.progress(true)).toEqual({
      total: 4,
      sent: 3,
      confirmed: 1,
      rejected: 0,
      notInAts: 1,
      pending: 0,
      awaitingConfirmation: 0,
    });
  });

  test('progress has no total or pending while a sync-all is still listing', () => {
    expect(fresh(0).progress(false)).toMatchObject({ total: null, pending: null });
  });

  test('a report confirms jobs, turns failed tasks into rejections and queues jobs LinkedIn lacks', () => {
    const ledger = fresh(3);
    ledger.recordBatch([updated('a'), updated('b'), updated('c')], 'UPDATE', false);
    ledger.awaitingReports = 1;
    ledger.applyReport(
      report({
        confirmed: ['a'],
        failed: [{ externalJobPostingId: 'b', reason: 'bad title' }],
        needsCreate: ['c'],
      }),
      false,
      never,
    );
    expect(ledger.awaitingReports).toBe(0);
    expect(ledger.totals).toMatchObject({ updated: 1, confirmed: 1, rejected: 1 });
    expect(ledger.createQueue).toEqual(['c']);
    const jobs = ledger.result('urn:li:developerApplication:1', ledger.outcome(), 0).jobs;
    expect(jobs.find((job) => job.externalJobPostingId === 'a')?.confirmation).toBe('CONFIRMED');
    expect(jobs.find((job) => job.externalJobPostingId === 'b')).toMatchObject({
      fate: 'REJECTED',
      reason: "LinkedIn's task failed: bad title",
    });
    expect(ledger.outcome()).toBe('PARTIAL');
  });

  test('a partial report queues its CREATEs without counting as the follower’s report', () => {
    const ledger = fresh(1);
    ledger.recordBatch([updated('a')], 'UPDATE', false);
    ledger.awaitingReports = 1;
    ledger.applyReport(report({ partial: true, needsCreate: ['a'] }), false, never);
    expect(ledger.awaitingReports).toBe(1);
    expect(ledger.createQueue).toEqual(['a']);
  });

  test('a job LinkedIn lacks after the deadline missed it instead of being queued', () => {
    const ledger = fresh(1);
    ledger.recordBatch([updated('a')], 'UPDATE', false);
    ledger.applyReport(report({ needsCreate: ['a'] }), true, never);
    expect(ledger.createQueue).toEqual([]);
    expect(ledger.totals).toMatchObject({ updated: 0, missedDeadline: 1 });
  });

  test('a job is never CREATEd twice: asked again once CREATEd or while queued, it only warns', () => {
    const ledger = fresh(2);
    const warned: string[] = [];
    ledger.applyReport(report({ needsCreate: ['a', 'a'] }), false, (id) => warned.push(id));
    expect(ledger.nextCreateBatch(100).batch).toEqual(['a']);
    ledger.recordBatch(
      [{ externalJobPostingId: 'a', fate: 'CREATED', confirmation: 'PENDING', taskUrn: 't' }],
      'CREATE',
      false,
    );
    ledger.dropCreateBatch(ledger.nextCreateBatch(100).taken);
    ledger.applyReport(report({ needsCreate: ['a'] }), false, (id) => warned.push(id));
    expect(warned).toEqual(['a', 'a']);
    expect(ledger.createQueue).toEqual([]);
  });

  test('jobs queued for CREATE while a CREATE call is out stay queued for the next call', () => {
    const ledger = fresh(3);
    ledger.applyReport(report({ partial: true, needsCreate: ['a'] }), false, never);
    const { batch, taken } = ledger.nextCreateBatch(100);
    expect(batch).toEqual(['a']);
    // While the call for 'a' is out, a batch-mate's task reports two more jobs LinkedIn lacks.
    ledger.applyReport(report({ partial: true, needsCreate: ['b', 'c'] }), false, never);
    ledger.dropCreateBatch(taken);
    expect(ledger.createQueue).toEqual(['b', 'c']);
  });

  test('a CREATE batch that failed as a whole counts as CREATEd, since LinkedIn may hold it', () => {
    const ledger = fresh(1);
    ledger.recordBatch(
      [{ externalJobPostingId: 'a', fate: 'REJECTED', reason: 'LinkedIn failed' }],
      'CREATE',
      true,
    );
    expect(ledger.carry().created).toEqual(['a']);
  });

  test('a follower that could not start, or never reported, leaves its jobs unconfirmed', () => {
    const ledger = fresh(2);
    ledger.recordBatch([updated('a'), updated('b')], 'UPDATE', false);
    ledger.awaitingReports = 2;
    ledger.followerLost([['task-a', 'a']]);
    expect(ledger.awaitingReports).toBe(1);
    ledger.settleUnreported();
    const result = ledger.result('urn:li:developerApplication:1', 'SUCCEEDED', 0);
    expect(result.totals.unconfirmed).toBe(2);
    expect(result.jobs.map((job) => job.confirmation)).toEqual(['UNCONFIRMED', 'UNCONFIRMED']);
  });

  test('jobs a report found missing after the deadline are counted missed once, with their own reason', () => {
    const ledger = fresh(3);
    ledger.recordBatch(
      ['a', 'b', 'c'].map((id) => ({ externalJobPostingId: id, fate: 'UPDATED', taskUrn: `task-${id}` })),
      'UPDATE',
      false,
    );
    ledger.applyReport(report({ needsCreate: ['a'] }), true, never);
    expect(ledger.lateMissed).toEqual(['a']);
    ledger.missDeadline({
      notSent: ['a', 'b'],
      notSentCount: 2,
      abandoned: [],
      missedEarlier: ledger.lateMissed,
      requestedDelta: 0,
    });
    const result = ledger.result('urn:li:developerApplication:1', 'DEADLINE_EXCEEDED', 0);
    expect(result.totals).toMatchObject({ missedDeadline: 2, updated: 2 });
    expect(result.jobs.find((job) => job.externalJobPostingId === 'a')?.reason).toBe(
      'LinkedIn does not have this job and the deadline passed before it could be created',
    );
    expect(result.jobs.find((job) => job.externalJobPostingId === 'b')?.reason).toBe(
      'not sent before the deadline',
    );
  });

  test('a missed deadline records the jobs not sent and those of the abandoned call', () => {
    const ledger = fresh(3);
    ledger.missDeadline({
      notSent: ['b', 'c'],
      notSentCount: 2,
      abandoned: ['a'],
      missedEarlier: [],
      requestedDelta: 0,
    });
    const result = ledger.result('urn:li:developerApplication:1', 'DEADLINE_EXCEEDED', 0);
    expect(result.totals).toMatchObject({ missedDeadline: 2, outcomeUnknown: 1, requested: 3 });
    expect(result.jobs.map((job) => [job.externalJobPostingId, job.fate])).toEqual([
      ['b', 'MISSED_DEADLINE'],
      ['c', 'MISSED_DEADLINE'],
      ['a', 'OUTCOME_UNKNOWN'],
    ]);
  });

  test('the carried ledger rebuilds the same ledger in the next run', () => {
    const ledger = fresh(2);
    ledger.recordBatch([updated('a')], 'UPDATE', false);
    ledger.applyReport(report({ partial: true, needsCreate: ['a'] }), false, never);
    const next = new Ledger(ledger.carry());
    expect(next.progress(true)).toEqual(ledger.progress(true));
    expect(next.createQueue).toEqual(['a']);
  });
});
