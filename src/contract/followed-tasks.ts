/**
 * What the followTasks activity answers, compact: most of a resync's tasks end SUCCEEDED, and naming each
 * (its urn and status, ~100 bytes a job) made the follow-up's answer the largest part of a resync's history
 * after its result. Free of zod and of Node: workflow code reads it.
 */

import type { TaskStatus } from '../linkedin/answer-readings';

/** LinkedIn's task statuses (linkedin.md §6), as answer-readings.ts reads them. */
export type FollowedTaskStatus = TaskStatus;

export interface FollowedTask {
  taskUrn: string;
  status: FollowedTaskStatus;
  errorMessage?: string;
}

/**
 * Asked for with `confirmedUnnamed`: the tasks that ended FAILED, named with LinkedIn's reason, and of the
 * others whichever list is shorter: those still running (`pending`; every task asked about and named in
 * neither list ended SUCCEEDED or PROCESSED) or those that ended SUCCEEDED or PROCESSED (`confirmed`; every
 * task named in neither is still running). A follow-up whose tasks all succeeded answers
 * `{"failed":[],"pending":[]}`.
 */
export type FollowedAnswer =
  { failed: FollowedTask[]; pending: string[] } | { failed: FollowedTask[]; confirmed: string[] };

/**
 * The tasks that ended, each with its status, from either answer: a list (the answer of releases before
 * `confirmedUnnamed`, or of a worker that does not know it, which names the ended tasks), or a
 * FollowedAnswer. A task the compact answer leaves unnamed as ended is SUCCEEDED here: PROCESSED confirms
 * the same way (taskAction).
 */
export function endedTasksOf(
  asked: readonly string[],
  answer: readonly FollowedTask[] | FollowedAnswer,
): FollowedTask[] {
  if (isTaskList(answer)) return answer.filter((task) => task.status !== 'IN_PROGRESS');
  const succeeded = (taskUrn: string): FollowedTask => ({ taskUrn, status: 'SUCCEEDED' });
  if ('confirmed' in answer) return [...answer.confirmed.map(succeeded), ...answer.failed];
  const named = new Set([...answer.pending, ...answer.failed.map((task) => task.taskUrn)]);
  return [...asked.filter((taskUrn) => !named.has(taskUrn)).map(succeeded), ...answer.failed];
}

function isTaskList(answer: readonly FollowedTask[] | FollowedAnswer): answer is readonly FollowedTask[] {
  return Array.isArray(answer);
}

/** The compact answer for the tasks asked about, given what ended (the activity's side). */
export function followedAnswer(
  asked: readonly string[],
  ended: ReadonlyMap<string, FollowedTask>,
): FollowedAnswer {
  const failed: FollowedTask[] = [];
  const confirmed: string[] = [];
  const pending: string[] = [];
  for (const taskUrn of asked) {
    const task = ended.get(taskUrn);
    if (task === undefined || task.status === 'IN_PROGRESS') pending.push(taskUrn);
    else if (task.status === 'SUCCEEDED' || task.status === 'PROCESSED') confirmed.push(taskUrn);
    else failed.push(task);
  }
  return pending.length <= confirmed.length ? { failed, pending } : { failed, confirmed };
}
