/** What the floor bench's activities answer (floor-worker.ts). */

/** About `bytes` of JSON: urns of LinkedIn's task shape (~70 bytes each, quoted and comma'd), none when 0. */
export function urnsOf(bytes: number): string[] | undefined {
  if (bytes <= 0) return undefined;
  const urn = (i: number) => `urn:li:simpleJobPostingTask:${i.toString(16).padStart(36, '0')}`;
  return Array.from({ length: Math.max(1, Math.round(bytes / (urn(0).length + 3))) }, (_, i) => urn(i));
}
