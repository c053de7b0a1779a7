export { resyncJobs } from './resync-jobs';
export { followResyncTasks } from './follow-resync-tasks';
export { notificationReceivedSignal, progressQuery, tasksReportedSignal } from './signals';
export type { ResyncProgress } from './signals';
export type { FollowResyncTasksInput } from './follow-resync-tasks';
export { driftCheck, jobStatusChanged } from './drift-check';
export { driftProgressQuery } from './drift-queries';
