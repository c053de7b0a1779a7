import { Context } from '@temporalio/activity';
import type { JobResult, ResyncOutcome } from '../contract';

/** Counts how a resync ended, for the worker's /metrics (once per resync, unlike workflow code). */
export function recordOutcome() {
  return (input: { developerApplicationUrn: string; outcome: ResyncOutcome }): Promise<void> => {
    const { metricMeter } = Context.current();
    metricMeter
      .createCounter('resyncs_completed', 'resyncs', 'Resyncs that ended, by outcome')
      .add(1, { outcome: input.outcome });
    if (input.outcome === 'DEADLINE_EXCEEDED') {
      metricMeter
        .createCounter(
          'resync_deadlines_missed',
          'resyncs',
          'Resyncs whose deadline passed before every job was sent',
        )
        .add(1);
    }
    return Promise.resolve();
  };
}

/** Jobs sent and rejected, for the worker's /metrics (the SDK exports them with its own metrics). */
export function countOutcomes(context: Context, results: readonly JobResult[]): void {
  const meter = context.metricMeter;
  const sent = meter.createCounter('resync_jobs_sent', 'jobs', 'Jobs LinkedIn accepted for processing');
  const rejected = meter.createCounter(
    'resync_jobs_rejected',
    'jobs',
    'Jobs LinkedIn or the ATS data refused',
  );
  const notInAts = meter.createCounter(
    'resync_jobs_not_in_ats',
    'jobs',
    'Requested jobs the ATS does not hold',
  );
  for (const result of results) {
    if (result.fate === 'REJECTED') rejected.add(1);
    else if (result.fate === 'NOT_IN_ATS') notInAts.add(1);
    else sent.add(1, { operation: result.fate });
  }
}
