import { parseFloorOptions, renderFloor, type FloorRow } from '../../tools/bench/floor/floor-benchmark';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { COMPRESS_FROM_BYTES, deflateCodec, urnsOf } from '../../tools/bench/floor/floor-payload';

describe("the floor bench's options", () => {
  test('default to 1,000 workflows of 1 and of 4 activities, 50 at a time, read against 500 jobs a resync', () => {
    expect(parseFloorOptions(['--floor'])).toEqual({
      workflows: 1000,
      activities: [1, 4],
      concurrency: 50,
      bytes: [0],
      resultsOnly: false,
      compress: false,
      jobsPerResync: 500,
    });
  });

  test('take the shapes, the count, the concurrency and the resync size given', () => {
    expect(
      parseFloorOptions([
        '--floor',
        '--workflows',
        '200',
        '--activities',
        '1, 2,4',
        '--concurrency',
        '8',
        '--jobs-per-resync',
        '3',
        '--bytes',
        '0,50000',
        '--results-only',
        '--compress',
      ]),
    ).toEqual({
      workflows: 200,
      activities: [1, 2, 4],
      concurrency: 8,
      bytes: [0, 50_000],
      resultsOnly: true,
      compress: true,
      jobsPerResync: 3,
    });
  });

  test.each([
    ['--workflows', '0'],
    ['--workflows', '1.5'],
    ['--activities', '1,x'],
    ['--concurrency', '0'],
    ['--jobs-per-resync', 'many'],
  ])('refuse %s %s', (flag, value) => {
    expect(() => parseFloorOptions(['--floor', flag, value])).toThrow(
      `${flag.slice(2)} takes a positive integer`,
    );
  });

  test('refuse an option it does not know', () => {
    expect(() => parseFloorOptions(['--floor', '--apps', '3'])).toThrow(/apps/);
  });
});

test('the table prints each shape with its CPU a workflow and a job', () => {
  const row: FloorRow = {
    activities: 4,
    bytes: 50_000,
    historyBytes: 204_800,
    workflows: 1000,
    wallSeconds: 45.7,
    workflowsPerSecond: 21.9,
    workerMs: 22.8,
    temporalMs: 56.9,
    totalMs: 79.7,
    events: 29,
    workflowTasks: 5,
    msPerJob: 0.1594,
  };
  const lines = renderFloor([row], {
    workflows: 1000,
    activities: [4],
    concurrency: 50,
    bytes: [50_000],
    resultsOnly: false,
    compress: false,
    jobsPerResync: 500,
  }).split('\n');
  expect(lines[1]).toContain('ms a job at 500 jobs a resync');
  expect(lines[2]?.trim().split(/\s+/)).toEqual([
    '4',
    '50000',
    '5',
    '29',
    '200.0',
    '22',
    '22.8',
    '56.9',
    '79.7',
    '0.159',
  ]);
});

describe("the floor activities' answer", () => {
  test('is nothing for 0 bytes', () => {
    expect(urnsOf(0)).toBeUndefined();
  });

  test('is task urns whose JSON is within a few percent of the bytes asked', () => {
    for (const bytes of [1_000, 50_000, 200_000]) {
      const urns = urnsOf(bytes) ?? [];
      expect(urns.every((urn) => urn.startsWith('urn:li:simpleJobPostingTask:'))).toBe(true);
      expect(new Set(urns).size).toBe(urns.length);
      expect(Math.abs(JSON.stringify(urns).length - bytes) / bytes).toBeLessThan(0.05);
    }
  });
});

describe('--compress', () => {
  const codec = deflateCodec(COMPRESS_FROM_BYTES);
  const payloadOf = (value: unknown) => defaultPayloadConverter.toPayload(value);

  test('deflates a payload of a kilobyte or more, and reads it back as it was', async () => {
    const urns = urnsOf(25_000);
    const payload = payloadOf(urns);
    const [encoded] = await codec.encode([payload]);

    expect(encoded?.data?.length).toBeLessThan((payload.data?.length ?? 0) * 0.8);
    const [decoded] = await codec.decode([encoded as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(urns);
  });

  test('leaves smaller payloads, and payloads it did not deflate, as they are', async () => {
    const small = payloadOf({ developerApplicationUrn: 'urn:li:developerApplication:1' });
    expect(await codec.encode([small])).toEqual([small]);
    expect(await codec.decode([small])).toEqual([small]);
  });
});
