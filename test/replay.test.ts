import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { Worker } from '@temporalio/worker';
import { quietRuntime, workflowBundle } from './support/temporal';

/**
 * Histories recorded by the release whose executions may still be open (`npm run record-histories`, a
 * folder per release; the patch lifecycle in docs/development.md says which are kept) replay on the
 * workflow code of this checkout: a change that would strand running resyncs, their followers, drift
 * checks or status changes fails here first.
 */
const DIR = join(__dirname, 'fixtures', 'histories');

interface Fixture {
  /** `<release>/<file>` */
  name: string;
  workflowId: string;
  workflowType: string;
  history: { events: Array<Record<string, unknown>> };
}

function releases(): string[] {
  return readdirSync(DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function fixtures(release?: string): Fixture[] {
  return (release === undefined ? releases() : [release]).flatMap((folder) =>
    readdirSync(join(DIR, folder))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({
        name: `${folder}/${file}`,
        ...(JSON.parse(readFileSync(join(DIR, folder, file), 'utf8')) as Omit<Fixture, 'name'>),
      })),
  );
}

/**
 * The SDK's own JSON reader (`historyFromJSON`) fails with "type must be a Type" when npm installs two
 * copies of protobufjs (one for @temporalio/common, one for @temporalio/proto), as it does here: read the
 * JSON with the protobufjs copy the History type itself comes from.
 */
const { fromJson } = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as {
  fromJson: (type: unknown, json: unknown, options: object) => proto.temporal.api.history.v1.History;
};
const HISTORY = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

function historyOf(json: unknown): proto.temporal.api.history.v1.History {
  return fromJson(HISTORY, json, { ignoreUnknownFields: true });
}

/** Replays each history; returns `name: error` for every one that did not replay. */
async function replay(histories: Fixture[]): Promise<string[]> {
  quietRuntime();
  const failures: string[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle: workflowBundle(), replayName: 'replay-test' },
    histories.map(({ workflowId, history }) => ({ workflowId, history: historyOf(history) })),
  );
  let index = 0;
  for await (const result of results) {
    const name = histories[index++]?.name ?? result.workflowId;
    if (result.error) failures.push(`${name}: ${result.error.name}: ${result.error.message}`);
  }
  return failures;
}

test('the histories of the release whose executions may still be open are kept, and no older ones', () => {
  // The patch lifecycle (docs/development.md): the release before this one; older folders were retired
  // with the branches they served.
  expect(releases()).toEqual(['3239503']);
});

const PATHS = ['few-jobs', 'sync-all', 'create-fallback', 'missed-deadline', 'second-round'];
/**
 * Paths recorded (release 3239503): sync-alls whose workflow runs hold runs of many batches (the first
 * batch a run of its own, followers grouped by up to 25 batches), a first batch answered after
 * the rest of its run, a run's CREATE fallback and deadline, continue-as-new between runs; a drift check
 * and a Job Status Change, each with the repair resync it starts and that resync's followers.
 */
const RUN_PATHS = ['long-run', 'run-continues', 'first-batch-late', 'run-create-fallback', 'run-deadline'];
const CHILD_PATHS: Array<[string, string]> = [
  ['drift-repair', 'driftCheck'],
  ['status-change', 'jobStatusChanged'],
];

test.each(releases())(
  'the histories of release %s cover every path of a resync and its followers',
  (release) => {
    const recorded = fixtures(release);
    const names = recorded.map((fixture) => fixture.name.slice(release.length + 1));
    const typeOf = (name: string) =>
      recorded.find((fixture) => fixture.name === `${release}/${name}`)?.workflowType;
    for (const path of [...PATHS, 'partial-report']) {
      expect(names).toContain(`${path}-run1.json`);
      expect(names).toContain(`${path}-run1-follower1.json`);
    }
    // The sync-all and the second round each continued as new once.
    expect(names).toContain('sync-all-run2.json');
    expect(names).toContain('second-round-run2.json');
    for (const path of RUN_PATHS) {
      expect(typeOf(`${path}-run1.json`)).toBe('resyncJobs');
      expect(typeOf(`${path}-run1-follower1.json`)).toBe('followResyncTasks');
    }
    // The long run: the first batch's follower, then batches 2-26 and 27-31 followed together.
    expect(names).toContain('long-run-run1-follower3.json');
    // Runs of batches on both sides of a continue-as-new.
    expect(names).toContain('run-continues-run1-follower2.json');
    expect(names).toContain('run-continues-run2-follower1.json');
    // The first batch's follower, the run's, and the CREATE's.
    expect(names).toContain('run-create-fallback-run1-follower3.json');
    expect(names).toContain('first-batch-late-run1-follower2.json');
    expect(names).toContain('run-deadline-run1-follower2.json');
    for (const [path, type] of CHILD_PATHS) {
      expect(typeOf(`${path}-run1.json`)).toBe(type);
      expect(typeOf(`${path}-run1-child1-run1.json`)).toBe('resyncJobs');
      expect(typeOf(`${path}-run1-child1-run1-follower1.json`)).toBe('followResyncTasks');
    }
  },
);

test('every recorded history replays on the current workflow code without non-determinism', async () => {
  const all = fixtures();
  expect(await replay(all)).toEqual([]);
});

test('a history whose commands differ from what the code commands fails replay', async () => {
  // The follower child's id as an older release named it: the code now commands another id.
  const original = fixtures().find((fixture) => fixture.name.endsWith('/few-jobs-run1.json'));
  if (!original) throw new Error('few-jobs-run1.json is missing');
  const changed = JSON.parse(
    JSON.stringify(original).replaceAll(/-tasks-([0-9a-f]{12})-r0-/g, '-tasks-$1-'),
  ) as Fixture;
  const failures = await replay([changed]);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatch(/DeterminismViolationError/);
});
