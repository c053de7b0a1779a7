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
