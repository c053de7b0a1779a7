/**
 * Bad input for the webhook, generated with fast-check from a seed (so a failure can be replayed): bytes
 * that are not JSON, JSON that is not a notification, LinkedIn's notification with one field broken or an
 * application the ATS does not know, no signature, a wrong or malformed signature, bodies over 1 MiB.
 */
import fc from 'fast-check';
import { signNotification } from '../../src/api/signature';
import { JobResyncNotification } from '../../src/contract';
import { WEBHOOK_SECRET } from './rig';

export interface BadDelivery {
  kind: string;
  body: Buffer;
  headers: Record<string, string>;
  /**
   * Signed, and what the contract reads plainly after all (a single id as a string, say): 200 is right.
   */
  mayBeAccepted?: boolean;
}

const signed = (body: Buffer): Record<string, string> => ({
  'X-LI-Signature': signNotification(WEBHOOK_SECRET, body),
});

const notJson = fc
  .string({ unit: 'binary', maxLength: 300 })
  .filter((text) => !parses(text))
  .map((text) => ({ kind: 'not JSON', text }));

const notANotification = fc
  .jsonValue({ maxDepth: 3 })
  .map((value) => ({ kind: 'JSON, not a notification', text: JSON.stringify(value) ?? 'null' }));

/** LinkedIn's notification for `urn` with one field broken, or naming an application the ATS lacks. */
function brokenNotification(urn: string) {
  const base = {
    developerApplicationUrn: urn,
    externalJobPostingIds: ['job-1'],
    syncAllOpenJobs: false,
    type: 'RESYNC_JOBS',
  };
  const junk = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.object({ maxDepth: 1 }),
  );
  return fc
    .oneof(
      fc.record({ type: fc.string().filter((type) => type !== 'RESYNC_JOBS') }),
      fc.record({ developerApplicationUrn: junk }),
      fc.record({
        developerApplicationUrn: fc.nat().map((n) => `urn:li:developerApplication:${n + 900_000_000}`),
      }),
      fc.record({ syncAllOpenJobs: junk.filter((value) => typeof value !== 'boolean') }),
      fc.record({
        externalJobPostingIds: fc.oneof(
          junk,
          fc.array(
            junk.filter((v) => typeof v !== 'string'),
            { minLength: 1 },
          ),
        ),
      }),
      fc
        .constantFrom('developerApplicationUrn', 'type', 'syncAllOpenJobs')
        .map((field) => ({ [field]: undefined })),
    )
    .map((change) => ({
      kind: 'notification with a broken field',
      text: JSON.stringify({ ...base, ...change }),
    }));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** `count` bad deliveries from `seed`; `goodBody` is a well-formed notification to sign wrongly. */
export function badDeliveries(count: number, seed: number, urn: string, goodBody: string): BadDelivery[] {
  const signedBody = fc.oneof(notJson, notANotification, brokenNotification(urn)).map(({ kind, text }) => {
    const body = Buffer.from(text);
    return { kind, body, headers: signed(body), mayBeAccepted: namesKnownApplication(body, urn) };
  });
  const good = Buffer.from(goodBody);
  const wrongSignature = fc.oneof(
    fc.constant({ kind: 'unsigned', body: good, headers: {} }),
    fc.string({ minLength: 16 }).map((secret) => ({
      kind: 'signed with another secret',
      body: good,
      headers: { 'X-LI-Signature': signNotification(`other-${secret}`, good) },
    })),
    fc.string({ unit: 'binary', maxLength: 100 }).map((header) => ({
      kind: 'malformed signature',
      body: good,
      headers: { 'X-LI-Signature': header.replace(/[^\x20-\x7e]/g, '') || 'x' },
    })),
  );
  const oversized = fc.integer({ min: 1024 * 1024 + 1, max: 3 * 1024 * 1024 }).map((size) => {
    // Each id takes 15 bytes in the JSON ("job-00000001",): the body is always over `size`.
    const ids = Array.from(
      { length: Math.ceil(size / 15) + 1 },
      (_, i) => `job-${String(i).padStart(8, '0')}`,
    );
    const body = Buffer.from(
      JSON.stringify({
        developerApplicationUrn: urn,
        externalJobPostingIds: ids,
        syncAllOpenJobs: false,
        type: 'RESYNC_JOBS',
      }),
    );
    return { kind: 'over 1 MiB', body, headers: signed(body) };
  });
  const any = fc.oneof(
    { arbitrary: signedBody, weight: 6 },
    { arbitrary: wrongSignature, weight: 3 },
    { arbitrary: oversized, weight: 1 },
  );
  return fc.sample(any, { numRuns: count, seed });
}

/** Whether the body is, after all, a notification of `urn` the contract accepts (a mutation can land on one). */
function namesKnownApplication(body: Buffer, urn: string): boolean {
  try {
    const parsed = JobResyncNotification.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success && parsed.data.developerApplicationUrn === urn;
  } catch {
    return false;
  }
}
