export { resyncJobs, progressQuery } from './resync-jobs';
export type { ResyncProgress } from './resync-jobs';
