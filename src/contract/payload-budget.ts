/**
 * Payloads are budgeted in bytes, not items. Every list of ids or answers the service hands Temporal (a
 * listing page, a run's input and its answers, a follower's tasks and its report) takes at most
 * PAYLOAD_BUDGET_BYTES, half the SDK's 512 KB warning and an eighth of Temporal's 2 MB limit, whatever the
 * ids' length (≤ 200 characters); what holds several lists (a continue-as-new, a result) bounds each of them
 * so the whole stays under the warning (see run-plan.ts). Workflow-safe: no Node built-ins.
 */
export const PAYLOAD_BUDGET_BYTES = 256 * 1024;

/** The bytes a string takes in a JSON array, as UTF-8 with its quotes and separator. */
export function jsonBytes(text: string): number {
  let bytes = 3;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c) bytes += 6;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    // A surrogate pair is 4 bytes in UTF-8: 3 counted for each half overestimates, which is safe.
    else bytes += 3;
  }
  return bytes;
}

/** The ids from the start of `ids` that fit in `budget` bytes (at least one). */
export function fitting(ids: readonly string[], budget: number): string[] {
  let bytes = 2;
  let count = 0;
  for (const id of ids) {
    bytes += jsonBytes(id);
    if (bytes > budget && count > 0) break;
    count++;
  }
  return ids.slice(0, count);
}
