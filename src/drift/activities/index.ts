import { checkDriftPage } from './check-drift-page';
import type { ActivityDeps } from '../../activities/deps';
import { recordDriftCheck } from './record-drift-check';
import { recordDriftRepairs } from './record-drift-repairs';
import { recordJobStatusChange } from './record-job-status-change';

export {
  DRIFT_KINDS,
  driftOf,
  type DriftKind,
  type ShownDifference,
  type StatusProblem,
} from './drift-kinds';
export type { CheckDriftPageInput, CheckDriftPageOutput } from './check-drift-page';
export type { RecordDriftCheckInput } from './record-drift-check';
export type { RecordDriftRepairsInput } from './record-drift-repairs';
export type { RecordJobStatusChangeInput, RecordJobStatusChangeOutput } from './record-job-status-change';

/** The drift check's and the status notifications' activities, one file each. */
export function createDriftActivities(deps: ActivityDeps) {
  return {
    checkDriftPage: checkDriftPage(deps),
    recordJobStatusChange: recordJobStatusChange(deps),
    recordDriftCheck: recordDriftCheck(deps),
    recordDriftRepairs: recordDriftRepairs(deps),
  };
}

export type DriftActivities = ReturnType<typeof createDriftActivities>;
