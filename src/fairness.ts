/**
 * Each application is a fairness key of its own in Temporal's task queues (priority and fairness), so that
 * in a storm no application's tasks wait behind all the others'. Every workflow started for an application
 * carries its key: resyncs (the API), drift checks (their schedules and `npm run resync -- drift`) and Job
 * Status Change workflows; the children and activities they start inherit it. Temporal servers without
 * fairness turned on (`matching.enableFairness`) dispatch in order and ignore it.
 */
import { createHash } from 'node:crypto';
import type { Priority } from '@temporalio/common';

/** Temporal's fairness keys are at most 64 bytes: a longer application URN is keyed by its digest. */
export function fairnessKeyOf(developerApplicationUrn: string): string {
  if (Buffer.byteLength(developerApplicationUrn) <= 64) return developerApplicationUrn;
  return createHash('sha256').update(developerApplicationUrn).digest('base64url');
}

/** The priority of a workflow started for the application: its fairness key, at the default priority. */
export function applicationPriority(developerApplicationUrn: string): Priority {
  return { fairnessKey: fairnessKeyOf(developerApplicationUrn) };
}
