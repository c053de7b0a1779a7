import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ResyncProgress, TaskReport } from '../contract';

export type { ResyncProgress } from '../contract';

export const progressQuery = defineQuery<ResyncProgress>('progress');
export const tasksReportedSignal = defineSignal<[TaskReport]>('tasksReported');

/** Every delivery of a notification reaches its resync (signal-with-start), with its receipt time. */
export const notificationReceivedSignal = defineSignal<[{ receivedAt: number }]>('notificationReceived');
