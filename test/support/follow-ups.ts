import { defaultPayloadConverter } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { FollowedTask, FollowTasksInput } from '../../src/activities/follow-tasks';
import { endedTasksOf, type FollowedAnswer } from '../../src/contract/followed-tasks';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One followTasks activity a workflow run scheduled (a slice of a follow-up), as its history shows it. */
export interface FollowUpInHistory {
  /** The ActivityTaskScheduled event's id. */
  scheduledEventId: string;
  input: FollowTasksInput;
  taskQueue: string | undefined;
  /** Its summary in the Web UI ("" when it has none). */
  summary: string;
  /** The tasks its answer says ended, each with its status (as the workflow reads it), once it completed. */
  answer: FollowedTask[] | undefined;
  /** The bytes of its answer's payload, once it completed. */
  answerBytes: number | undefined;
  /** The index in `events` of its ActivityTaskCompleted event, -1 while it has none. */
  completedAt: number;
}

/** The followTasks activities in a workflow run's history (a resync following its tasks, or a follower). */
export function followUpsIn(events: readonly HistoryEvent[]): FollowUpInHistory[] {
  const followUps = new Map<string, FollowUpInHistory>();
  events.forEach((event, index) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'followTasks') {
      const scheduledEventId = String(event.eventId);
      followUps.set(scheduledEventId, {
        scheduledEventId,
        input: defaultPayloadConverter.fromPayload<FollowTasksInput>(scheduled.input?.payloads?.[0] ?? {}),
        taskQueue: scheduled.taskQueue?.name ?? undefined,
        summary: event.userMetadata?.summary
          ? defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary)
          : '',
        answer: undefined,
        answerBytes: undefined,
        completedAt: -1,
      });
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const followUp = completed && followUps.get(String(completed.scheduledEventId));
    if (followUp) {
      const payload = completed.result?.payloads?.[0] ?? {};
      followUp.answer = endedTasksOf(
        followUp.input.taskUrns,
        defaultPayloadConverter.fromPayload<FollowedTask[] | FollowedAnswer>(payload),
      );
      followUp.answerBytes = payload.data?.length ?? 0;
      followUp.completedAt = index;
    }
  });
  return [...followUps.values()];
}
