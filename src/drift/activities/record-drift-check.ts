import { Context } from '@temporalio/activity';
import { DRIFT_KINDS, type DriftKind } from './drift-kinds';

export interface RecordDriftCheckInput {
  developerApplicationUrn: string;
  checked: number;
  repaired: Record<DriftKind, number>;
  /** Most of the application's listed jobs differed: its CHANGED jobs were not repaired (docs/drift.md). */
  comparisonDisagrees?: boolean;
}

/** Counts a finished drift check for the worker's /metrics (once, unlike workflow code). */
export function recordDriftCheck() {
  return (input: RecordDriftCheckInput): Promise<void> => {
    const { metricMeter } = Context.current();
    metricMeter
      .createCounter(
        'drift_checked_jobs',
        'jobs',
        'Jobs whose LinkedIn status a drift check compared with the ATS',
      )
      .add(input.checked);
    const repaired = metricMeter.createCounter(
      'drift_repaired_jobs',
      'jobs',
      'Drifted jobs a drift check sent again, by kind of drift',
    );
    for (const kind of DRIFT_KINDS) {
      if (input.repaired[kind] > 0) repaired.add(input.repaired[kind], { kind });
    }
    if (input.comparisonDisagrees) {
      metricMeter
        .createCounter(
          'drift_comparison_disagreements',
          'checks',
          "Drift checks that found most of an application's listed jobs CHANGED and repaired none of them",
        )
        .add(1);
    }
    return Promise.resolve();
  };
}
