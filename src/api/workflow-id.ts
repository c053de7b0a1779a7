import { createHash } from 'node:crypto';
import { canonicalRequest, resyncWorkflowId } from '../contract';

/**
 * The workflow id of a notification (see `resyncWorkflowId`): the digest of its canonical request, so a
 * redelivery of the same notification maps to the same workflow.
 */
export function workflowIdFor(notification: Parameters<typeof canonicalRequest>[0], prefix = ''): string {
  const request = canonicalRequest(notification);
  const digest = createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 16);
  return resyncWorkflowId(request, digest, prefix);
}
