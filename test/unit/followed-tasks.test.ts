import {
  endedTasksOf,
  followedAnswer,
  type FollowedTask,
  type FollowedTaskStatus,
} from '../../src/contract/followed-tasks';
import { taskAction } from '../../src/linkedin/answer-readings';

const urn = (n: number) => `urn:li:simpleJobPostingTask:${n}`;
const task = (n: number, status: FollowedTaskStatus, errorMessage?: string): FollowedTask => ({
  taskUrn: urn(n),
  status,
  ...(errorMessage === undefined ? {} : { errorMessage }),
});

/** What the workflow does with each task: confirm, create, reject, or still follow it. */
function actions(asked: string[], ended: FollowedTask[]): Record<string, string> {
  const byUrn = new Map(ended.map((each) => [each.taskUrn, each]));
  return Object.fromEntries(
    asked.map((taskUrn) => [
      taskUrn,
      taskAction('UPDATE', byUrn.get(taskUrn) ?? { taskUrn, status: 'IN_PROGRESS' }),
    ]),
  );
}

describe('the compact follow-up answer', () => {
  const asked = [1, 2, 3, 4, 5, 6].map(urn);
  const cases: Array<[string, FollowedTask[]]> = [
    ['every task succeeded', asked.map((_, k) => task(k + 1, 'SUCCEEDED'))],
    [
      'one failed for a job LinkedIn lacks, one was rejected, one processed, the rest succeeded',
      [
        task(1, 'SUCCEEDED'),
        task(2, 'FAILED', 'Job posting does not exist'),
        task(3, 'PROCESSED'),
        task(4, 'FAILED', 'Invalid title'),
        task(5, 'SUCCEEDED'),
        task(6, 'SUCCEEDED'),
      ],
    ],
    [
      'most still running',
      [task(2, 'SUCCEEDED'), task(5, 'FAILED', 'Invalid title'), task(6, 'IN_PROGRESS')],
    ],
    ['none ended', []],
  ];

  test.each(cases)('reads as the list of ended tasks did: %s', (_, ended) => {
    const answer = followedAnswer(asked, new Map(ended.map((each) => [each.taskUrn, each])));
    const listed = ended.filter((each) => each.status !== 'IN_PROGRESS');

    expect(actions(asked, endedTasksOf(asked, answer))).toEqual(actions(asked, listed));
    // Failed tasks keep LinkedIn's reason.
    expect(endedTasksOf(asked, answer).filter((each) => each.status === 'FAILED')).toEqual(
      listed.filter((each) => each.status === 'FAILED'),
    );
  });

  test('names no task when every one succeeded', () => {
    const ended = new Map(asked.map((taskUrn) => [taskUrn, { taskUrn, status: 'SUCCEEDED' as const }]));
    expect(followedAnswer(asked, ended)).toEqual({ failed: [], pending: [] });
  });

  test('names the shorter of the confirmed and the still running', () => {
    const twoEnded = new Map([
      [urn(1), task(1, 'SUCCEEDED')],
      [urn(2), task(2, 'PROCESSED')],
    ]);
    expect(followedAnswer(asked, twoEnded)).toEqual({ failed: [], confirmed: [urn(1), urn(2)] });
    const twoRunning = new Map(
      asked.slice(2).map((taskUrn) => [taskUrn, { taskUrn, status: 'SUCCEEDED' as const }]),
    );
    expect(followedAnswer(asked, twoRunning)).toEqual({ failed: [], pending: [urn(1), urn(2)] });
  });

  test('a list (an earlier release, or a worker that does not know the compact answer) reads as before', () => {
    const list = [task(1, 'SUCCEEDED'), task(2, 'FAILED', 'Invalid title'), task(3, 'IN_PROGRESS')];
    expect(endedTasksOf(asked, list)).toEqual([task(1, 'SUCCEEDED'), task(2, 'FAILED', 'Invalid title')]);
  });
});
