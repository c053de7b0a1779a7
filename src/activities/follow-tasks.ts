import { Context } from '@temporalio/activity';
import type { TaskState } from '../linkedin/client';
import { followedAnswer, type FollowedAnswer, type FollowedTask } from '../contract/followed-tasks';
import { applicationOf, type ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';
import { toActivityFailure } from './activity-failures';

/**
 * A follow-up's first heartbeat, a third of its heartbeat timeout (30 s) in: most follow-ups end within
 * seconds and then cost Temporal no heartbeat. A retry re-asks LinkedIn about at most this much; its worker
 * passes details on at most every 24 s after that anyway (the SDK's throttle, 0.8 × the timeout).
 */
const FOLLOW_UP_FIRST_BEAT_MS = 10_000;

export interface FollowTasksInput {
  developerApplicationUrn: string;
  taskUrns: string[];
  /** Epoch ms: tasks still running then are reported IN_PROGRESS. */
  until: number;
  /** Return as soon as a task ends FAILED (an UPDATE's job may need a CREATE before the deadline). */
  returnOnFailure?: boolean;
  /** Answer with the tasks that ended only (the caller knows which it asked about). */
  endedOnly?: boolean;
  /**
   * Answer a FollowedAnswer: the failed tasks named, the confirmed ones not (the caller knows which it
   * asked about). Workflow code of releases before it never asks; asked of a worker that does not know
   * it, the answer is a list, which the caller reads too (`endedTasksOf`).
   */
  confirmedUnnamed?: boolean;
}

export type { FollowedAnswer, FollowedTask };

/**
 * Follows LinkedIn's tasks until each ends (SUCCEEDED, FAILED, PROCESSED) or `until` passes. It heartbeats
 * what has ended, so a retry resumes instead of starting over.
 */
export function followTasks(deps: ActivityDeps) {
  return async (input: FollowTasksInput): Promise<FollowedTask[] | FollowedAnswer> => {
    const context = Context.current();
    const app = await applicationOf(deps, input.developerApplicationUrn);
    const done = new Map<string, FollowedTask>();
    const prior: unknown = context.info.heartbeatDetails;
    if (Array.isArray(prior)) for (const task of prior as FollowedTask[]) done.set(task.taskUrn, task);
    await whileHeartbeating(
      () => [...done.values()],
      () => follow(deps, context, input, app, done),
      FOLLOW_UP_FIRST_BEAT_MS,
    ).catch((error: unknown) => {
      throw toActivityFailure(error);
    });
    const ended = [...done.values()].filter((task) => task.status !== 'IN_PROGRESS').length;
    context.log.info('tasks followed', { tasks: input.taskUrns.length, ended });
    if (input.confirmedUnnamed) return followedAnswer(input.taskUrns, done);
    if (input.endedOnly) return [...done.values()].filter((task) => task.status !== 'IN_PROGRESS');
    return input.taskUrns.map((taskUrn) => done.get(taskUrn) ?? { taskUrn, status: 'IN_PROGRESS' });
  };
}

/** Polls (through the process's poller) the tasks not ended yet, recording into `done` as they end. */
async function follow(
  deps: ActivityDeps,
  context: Context,
  input: FollowTasksInput,
  app: Awaited<ReturnType<typeof applicationOf>>,
  done: Map<string, FollowedTask>,
): Promise<void> {
  const early = new AbortController();
  const failed = () => [...done.values()].some((task) => task.status === 'FAILED');
  const record = (ended: ReadonlyMap<string, TaskState>) => {
    for (const [taskUrn, state] of ended) {
      const { status, errorMessage } = state;
      done.set(taskUrn, { taskUrn, status, ...(errorMessage === undefined ? {} : { errorMessage }) });
    }
    if (input.returnOnFailure && failed()) early.abort();
  };
  if (input.returnOnFailure && failed()) return;
  const remaining = input.taskUrns.filter((urn) => !done.has(urn));
  const signal = AbortSignal.any([context.cancellationSignal, early.signal]);
  const states = await deps.taskPoller
    .follow(app, remaining, { until: input.until, signal, onProgress: record })
    .catch((error: unknown) => {
      // Stopped early on a failed task: what ended is in `done`.
      if (early.signal.aborted && !context.cancellationSignal.aborted) return new Map<string, TaskState>();
      throw error;
    });
  record(states);
}
