import { CancellationScope, CancelledFailure, isCancellation, sleep } from '@temporalio/workflow';
import type { ResyncInput, ResyncResult } from '../contract';
import { Resync } from './resync';

/**
 * Re-posts every requested job to LinkedIn, as the README's diagram draws it:
 * 1. list the jobs to send (the ids LinkedIn named, or the ATS's open jobs a page at a time);
 * 2. post them in batches of at most 100, one after another (UPDATE; CLOSE for jobs closed in the ATS;
 *    CREATE for jobs LinkedIn turns out not to have);
 * 3. beside the posting, followers (one per batch or group of batches) follow LinkedIn's tasks and report back;
 * 4. the result: per job sent, rejected, not in the ATS or missed the deadline.
 * A timer set at receipt + deadline races the sending. The history holds ids and outcomes only; a large
 * resync continues as new every 100 batches.
 */
export async function resyncJobs(input: ResyncInput): Promise<ResyncResult> {
  const resync = new Resync(input);
  const timerScope = new CancellationScope();
  const workScope = new CancellationScope();
  const timer = timerScope
    .run(() => sleep(resync.timeLeft()))
    .then(
      () => {
        resync.deadlineReached();
        return 'deadline' as const;
      },
      (error: unknown) => {
        if (isCancellation(error)) return 'cancelled' as const;
        throw error;
      },
    );
  const sending = workScope.run(() => resync.sendEverything()).then(() => 'sent' as const);

  const first = await Promise.race([sending, timer]);
  if (first === 'sent') {
    timerScope.cancel();
  } else if (first === 'cancelled') {
    // Cancelled on request (the timer is cancelled only with the workflow): stop sending, end CANCELLED.
    workScope.cancel();
    await sending.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    throw new CancelledFailure('the resync was cancelled on request');
  } else {
    // The deadline came first: cancel what is in flight, send nothing more, fail naming what was not sent.
    await resync.settleRun();
    const unsent = resync.unsent();
    workScope.cancel();
    await sending.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    if (unsent) await resync.failForDeadline();
  }

  // Everything is sent: LinkedIn's confirmations are awaited until the follow-up window closes.
  await resync.awaitReports();
  return resync.finish();
}
