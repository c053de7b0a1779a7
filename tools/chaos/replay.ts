/**
 * The replay check of test/replay.test.ts run against the built workflow bundle: every history recorded
 * by an earlier release (test/fixtures/histories/<release>/*.json) replays on this build's workflow code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { Worker } from '@temporalio/worker';

interface Fixture {
  name: string;
  workflowId: string;
  history: unknown;
}

/** The SDK's own reader fails when npm installs two copies of protobufjs: read with History's own copy. */
const { fromJson } = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as {
  fromJson: (type: unknown, json: unknown, options: object) => proto.temporal.api.history.v1.History;
};
const HISTORY = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export interface ReplayOutcome {
  releases: string[];
  histories: number;
  failures: string[];
}

export async function replayRecordedHistories(root: string, bundlePath: string): Promise<ReplayOutcome> {
  const dir = join(root, 'test', 'fixtures', 'histories');
  const releases = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const fixtures: Fixture[] = releases.flatMap((release) =>
    readdirSync(join(dir, release))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({
        name: `${release}/${file}`,
        ...(JSON.parse(readFileSync(join(dir, release, file), 'utf8')) as Omit<Fixture, 'name'>),
      })),
  );
  const failures: string[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle: { codePath: bundlePath }, replayName: 'chaos-replay' },
    fixtures.map(({ workflowId, history }) => ({
      workflowId,
      history: fromJson(HISTORY, history, { ignoreUnknownFields: true }),
    })),
  );
  let index = 0;
  for await (const result of results) {
    const name = fixtures[index++]?.name ?? result.workflowId;
    if (result.error) failures.push(`${name}: ${result.error.name}: ${result.error.message}`);
  }
  return { releases, histories: fixtures.length, failures };
}
