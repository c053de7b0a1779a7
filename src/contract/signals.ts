/** The resync's signals and query: what the API, the CLI and the workflow share to speak to a resync. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ResyncProgress, TaskReport } from './resync';

export type { ResyncProgress } from './resync';

export const progressQuery = defineQuery<ResyncProgress>('progress');
export const tasksReportedSignal = defineSignal<[TaskReport]>('tasksReported');

/** Every delivery of a notification reaches its resync (signal-with-start), with its receipt time. */
export const notificationReceivedSignal = defineSignal<[{ receivedAt: number }]>('notificationReceived');
