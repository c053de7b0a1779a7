export { resyncJobs } from './resync-jobs';
export { followResyncTasks } from './follow-resync-tasks';
export { notificationReceivedSignal, progressQuery, tasksReportedSignal } from '../contract/signals';
export type { ResyncProgress } from '../contract/signals';
export type { FollowResyncTasksInput } from './follow-resync-tasks';
export { driftCheck, jobStatusChanged } from '../drift/workflow/drift-check';
export { driftProgressQuery } from '../contract/drift';
