import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TaskReport } from '../contract';

export interface ResyncProgress {
  /** Jobs to send; null while a sync-all is still listing. */
  total: number | null;
  sent: number;
  confirmed: number;
  rejected: number;
  notInAts: number;
  /** Not sent yet (null while a sync-all is still listing). */
  pending: number | null;
  /** Batches whose LinkedIn tasks are still being followed. */
  awaitingConfirmation: number;
}

export const progressQuery = defineQuery<ResyncProgress>('progress');
export const tasksReportedSignal = defineSignal<[TaskReport]>('tasksReported');

/** Every delivery of a notification reaches its resync (signal-with-start), with its receipt time. */
export const notificationReceivedSignal = defineSignal<[{ receivedAt: number }]>('notificationReceived');
