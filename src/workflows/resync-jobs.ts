import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  DeadlineExceededDetails,
  JobResult,
  ResyncCarry,
  ResyncInput,
  ResyncResult,
  ResyncTotals,
  TaskReport,
} from '../contract';
import { FailureType, NON_RETRYABLE_FAILURES } from '../failures';
import { DEVELOPER_APPLICATION_URN, RESYNC_OUTCOME, type ResyncOutcome } from '../names';
import { CreatedJobs } from './created-jobs';
import { followResyncTasks } from './follow-resync-tasks';
import { JobDetails } from './job-details';
import { notificationReceivedSignal, progressQuery, tasksReportedSignal } from './signals';

/** LinkedIn takes at most 100 jobs per call. */
const BATCH_SIZE = 100;
/** Open job ids read from the ATS per listing call, for syncAllOpenJobs. */
const LIST_PAGE_SIZE = 1_000;
/** Batches per run before continuing as new: keeps each run's history far below Temporal's limits. */
const MAX_BATCHES_PER_RUN = 100;
const MAX_POST_ATTEMPT_MS = 2 * 60_000;
/** How long after the follow-up window the resync still listens for its followers' last reports. */
const REPORT_GRACE_MS = 30_000;
/** After a missed deadline the ATS is read for the jobs never listed, for at most this long. */
const MAX_REMAINING_READ_MS = 5 * 60_000;

/**
 * Changes to what this workflow commands, each behind its patch (README, Development): histories of the
 * release before take the old branch when replayed.
 */
const PATCH = {
  /** A delivery during the last awaits, or after the deadline, is looked at again and starts a new round. */
  lateDelivery: 'late-delivery-rechecked',
  /** Followers carry the execution's first run id; reports of another execution are dropped. */
  ownReports: 'reports-bound-to-execution',
  /** No posting without time left; the ATS read after a missed deadline is bounded. */
  deadlineBounds: 'deadline-bounds',
  /** CREATEs a report asks for while a CREATE call is under way stay queued (they were dropped). */
  createQueueKept: 'create-queue-kept',
} as const;

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES, FailureType.ResyncDeadlineExceeded],
};

const ats = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry,
});
const posting = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry,
});

/**
 * Resyncs by outcome, for the worker's /metrics. Counted by an activity, not by workflow code: a workflow
 * task that is retried (a follower's completion arriving as the resync completes) would count twice.
 */
async function countResync(developerApplicationUrn: string, outcome: ResyncOutcome): Promise<void> {
  await CancellationScope.nonCancellable(() => ats.recordOutcome({ developerApplicationUrn, outcome })).catch(
    (error: unknown) => log.warn('outcome not counted', { error: String(error) }),
  );
}

function emptyTotals(requested: number): ResyncTotals {
  return {
    requested,
    sent: 0,
    updated: 0,
    created: 0,
    closed: 0,
    confirmed: 0,
    unconfirmed: 0,
    rejected: 0,
    notInAts: 0,
    missedDeadline: 0,
    outcomeUnknown: 0,
  };
}

const FATE_COUNTER = {
  UPDATED: 'updated',
  CREATED: 'created',
  CLOSED: 'closed',
  REJECTED: 'rejected',
  NOT_IN_ATS: 'notInAts',
  MISSED_DEADLINE: 'missedDeadline',
  OUTCOME_UNKNOWN: 'outcomeUnknown',
} as const;

const OPERATION_COUNTER = { UPDATE: 'updated', CREATE: 'created', CLOSE: 'closed' } as const;

/**
 * Re-posts every requested job to LinkedIn: UPDATE in batches of at most 100 sent one after another (CLOSE
 * for jobs closed in the ATS, CREATE for jobs LinkedIn turns out not to have), while a timer set at receipt
 * + deadline races the sending. LinkedIn's tasks are followed beside the posting by one child per batch.
 * The history holds ids and outcomes only, and a large resync continues as new every 100 batches.
 */
export async function resyncJobs(input: ResyncInput): Promise<ResyncResult> {
  const info = workflowInfo();
  const recheckLateDelivery = patched(PATCH.lateDelivery);
  const ownReportsOnly = patched(PATCH.ownReports);
  const deadlineBounds = patched(PATCH.deadlineBounds);
  const keepCreateQueue = patched(PATCH.createQueueKept);
  const urn = input.developerApplicationUrn;
  const deadlineAt = input.receivedAt + input.deadlineMs;
  const followUpEndsAt = input.receivedAt + Math.max(input.followUpWindowMs, input.deadlineMs);
  const state: ResyncCarry = input.carry ?? {
    runs: 0,
    nextIndex: 0,
    after: undefined,
    listingDone: !input.syncAllOpenJobs,
    batchNumber: 0,
    totals: emptyTotals(input.syncAllOpenJobs ? 0 : input.externalJobPostingIds.length),
    jobs: [],
    jobsLeftOut: 0,
    createQueue: [],
    awaitingReports: 0,
    reportsBound: ownReportsOnly,
  };
  if (!info.typedSearchAttributes.get(DEVELOPER_APPLICATION_URN)) {
    // Started by hand without it: the Web UI and the log lines still name the application.
    upsertSearchAttributes([{ key: DEVELOPER_APPLICATION_URN, value: urn }]);
  }
  const totals = state.totals;
  const details = new JobDetails(state.jobs, state.jobsLeftOut);
  // Runs recorded before it neither de-duplicate CREATEs nor carry the ids CREATEd.
  const createOnce = patched('create-each-job-once');
  const created = new CreatedJobs(state.created ?? []);
  let deadlinePassed = Date.now() >= deadlineAt;
  /** Open job ids listed from the ATS and not sent yet (sync-all). */
  let listed: string[] = [];
  /** The batch being posted right now. */
  let inFlight: string[] = [];
  let inFlightOperation: 'UPDATE' | 'CREATE' = 'UPDATE';
  let batchesThisRun = 0;
  const round = input.round ?? 0;
  let sendingDone = false;
  let laterDelivery: number | undefined;
  /** Follower starts not yet acknowledged by Temporal. */
  const childStarts = new Set<Promise<void>>();

  const record = (result: JobResult, delta = 1) => {
    const counter = FATE_COUNTER[result.fate];
    totals[counter] = (totals[counter] ?? 0) + delta;
    // Confirmed by LinkedIn's answer itself (a CLOSE refused 409, a CREATE refused as a duplicate).
    if (result.confirmation === 'CONFIRMED') totals.confirmed += delta;
  };
  const sourceExhausted = () =>
    input.syncAllOpenJobs
      ? state.listingDone && listed.length === 0
      : state.nextIndex >= input.externalJobPostingIds.length;

  setHandler(progressQuery, () => {
    const sent = totals.updated + totals.created + totals.closed;
    const known = state.listingDone && listed.length === 0;
    const settled =
      sent + totals.rejected + totals.notInAts + totals.missedDeadline + (totals.outcomeUnknown ?? 0);
    return {
      total: known ? totals.requested : null,
      sent,
      confirmed: totals.confirmed,
      rejected: totals.rejected,
      notInAts: totals.notInAts,
      pending: known ? totals.requested - settled : null,
      awaitingConfirmation: state.awaitingReports,
    };
  });

  // A delivery of the same notification while this round is still sending joins it; one that comes after
  // everything was sent, or after the deadline ended the sending, is a new request (the Temporal start
  // attaches to this run either way).
  setHandler(notificationReceivedSignal, ({ receivedAt }) => {
    const allSent =
      sendingDone ||
      (recheckLateDelivery && deadlinePassed) ||
      (sourceExhausted() && inFlight.length === 0 && state.createQueue.length === 0);
    if (allSent && laterDelivery === undefined) laterDelivery = receivedAt;
  });

  setHandler(tasksReportedSignal, (report: TaskReport) => {
    if ((report.round ?? 0) !== round) return;
    // A follower of an earlier execution of this workflow id (round 0 there too) is not ours. Followers
    // of an execution begun on the release before report without a run id.
    const runId = report.resyncRunId;
    if (ownReportsOnly && runId !== info.firstExecutionRunId && (runId !== undefined || state.reportsBound))
      return;
    // An early report (jobs to CREATE) comes before the follower's last one.
    if (!report.partial) state.awaitingReports--;
    const counter = OPERATION_COUNTER[report.operation];
    for (const id of report.confirmed) {
      totals.confirmed++;
      details.patch(id, { confirmation: 'CONFIRMED' });
    }
    for (const id of report.unconfirmed) {
      totals.unconfirmed++;
      details.patch(id, { confirmation: 'UNCONFIRMED' });
    }
    for (const { externalJobPostingId, reason } of report.failed) {
      totals[counter]--;
      totals.rejected++;
      details.set({ externalJobPostingId, fate: 'REJECTED', reason: `LinkedIn's task failed: ${reason}` });
    }
    for (const id of report.needsCreate) {
      if (createOnce && (created.has(id) || state.createQueue.includes(id))) {
        log.warn('CREATE asked again for a job already CREATEd or queued; it is not sent twice', {
          externalJobPostingId: id,
        });
        continue;
      }
      totals.updated--;
      if (deadlinePassed) {
        totals.missedDeadline++;
        details.set({
          externalJobPostingId: id,
          fate: 'MISSED_DEADLINE',
          reason: 'LinkedIn does not have this job and the deadline passed before it could be created',
        });
      } else {
        state.createQueue.push(id);
      }
    }
  });

  async function post(ids: string[], operation: 'UPDATE' | 'CREATE'): Promise<void> {
    const batchNumber = ++state.batchNumber;
    batchesThisRun++;
    const left = deadlineAt - Date.now();
    if (deadlineBounds && left <= 0) {
      // No time left: nothing more goes to LinkedIn; the deadline timer ends the sending.
      await CancellationScope.current().cancelRequested;
    }
    inFlight = ids;
    inFlightOperation = operation;
    let results: JobResult[];
    let batchFailed = false;
    try {
      const output = await posting.postBatch.executeWithOptions(
        {
          summary: `batch ${batchNumber}: ${operation} ${ids.length} job${ids.length === 1 ? '' : 's'} from ${ids[0]}`,
          // Retries never outlive the deadline.
          startToCloseTimeout: Math.min(MAX_POST_ATTEMPT_MS, left),
          scheduleToCloseTimeout: left,
          heartbeatTimeout: '10 seconds',
          retry,
        },
        [{ developerApplicationUrn: urn, externalJobPostingIds: ids, operation, notAfter: deadlineAt }],
      );
      results = output.results;
    } catch (error) {
      if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
      const cause = error.cause;
      const outOfTime =
        Date.now() >= deadlineAt ||
        cause instanceof TimeoutFailure ||
        (cause instanceof ApplicationFailure && cause.type === FailureType.ResyncDeadlineExceeded);
      if (outOfTime) {
        // Out of time: the deadline timer decides what happens now.
        await condition(() => deadlinePassed);
        return;
      }
      // A permanent failure of this batch is recorded per job; the other batches still go.
      const reason = cause?.message ?? error.message;
      results = ids.map((id) => ({ externalJobPostingId: id, fate: 'REJECTED', reason }));
      batchFailed = true;
    }
    inFlight = [];
    if (createOnce && operation === 'CREATE') {
      // A CREATE batch that failed may still have reached LinkedIn.
      for (const result of results) {
        if (batchFailed || result.fate === 'CREATED') created.add(result.externalJobPostingId);
      }
    }
    if (input.syncAllOpenJobs && operation === 'UPDATE') totals.requested += ids.length;
    log.info('batch sent', {
      batch: batchNumber,
      operation,
      jobs: ids.length,
      accepted: results.filter((result) => result.taskUrn !== undefined).length,
      rejected: results.filter((result) => result.fate === 'REJECTED').length,
    });

    const toFollow = {
      UPDATE: [] as Array<[string, string]>,
      CREATE: [] as Array<[string, string]>,
      CLOSE: [] as Array<[string, string]>,
    };
    for (const result of results) {
      record(result);
      details.set(result);
      if (result.taskUrn) {
        const op = result.fate === 'CLOSED' ? 'CLOSE' : result.fate === 'CREATED' ? 'CREATE' : 'UPDATE';
        toFollow[op].push([result.taskUrn, result.externalJobPostingId]);
      }
    }
    for (const op of ['UPDATE', 'CREATE', 'CLOSE'] as const) {
      if (toFollow[op].length > 0) follow(op, toFollow[op], batchNumber);
    }
  }

  /**
   * Starts the batch's follower without waiting for it to start: the next batch goes at once. The start
   * is not cancellable (following sent jobs is no LinkedIn call the deadline forbids).
   */
  function follow(
    operation: TaskReport['operation'],
    tasks: Array<[string, string]>,
    batchNumber: number,
  ): void {
    state.awaitingReports++;
    const start = CancellationScope.nonCancellable(() =>
      startChild(followResyncTasks, {
        workflowId: `${info.workflowId}-tasks-${info.firstExecutionRunId.slice(-12)}-r${round}-${batchNumber}-${operation.toLowerCase()}`,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `Follow LinkedIn's tasks of batch ${batchNumber} (${tasks.length} ${operation})`,
        typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: urn }],
        args: [
          {
            parentWorkflowId: info.workflowId,
            developerApplicationUrn: urn,
            operation,
            tasks,
            until: followUpEndsAt,
            round,
            ...(ownReportsOnly ? { resyncRunId: info.firstExecutionRunId } : {}),
          },
        ],
      }),
    ).then(
      () => undefined,
      () => {
        // No follower: the jobs were sent, and nobody will see LinkedIn confirm them.
        state.awaitingReports--;
        totals.unconfirmed += tasks.length;
        for (const [, id] of tasks) details.patch(id, { confirmation: 'UNCONFIRMED' });
      },
    );
    childStarts.add(start);
    void start.then(() => childStarts.delete(start));
  }

  async function nextBatch(): Promise<string[] | undefined> {
    if (!input.syncAllOpenJobs) {
      const ids = input.externalJobPostingIds.slice(state.nextIndex, state.nextIndex + BATCH_SIZE);
      return ids.length > 0 ? ids : undefined;
    }
    if (listed.length === 0 && !state.listingDone) {
      listed = await ats.listOpenJobIds({
        developerApplicationUrn: urn,
        after: state.after,
        limit: LIST_PAGE_SIZE,
      });
      if (listed.length < LIST_PAGE_SIZE) state.listingDone = true;
    }
    return listed.length > 0 ? listed.slice(0, BATCH_SIZE) : undefined;
  }

  async function continueAsNewIfLarge(): Promise<void> {
    if (sourceExhausted() && state.createQueue.length === 0) return;
    if (
      batchesThisRun < (input.batchesPerRun ?? MAX_BATCHES_PER_RUN) &&
      !workflowInfo().continueAsNewSuggested
    )
      return;
    await Promise.all(childStarts);
    await condition(allHandlersFinished);
    const carry: ResyncCarry = {
      ...state,
      runs: state.runs + 1,
      // Ids listed but not sent are listed again by the next run.
      listingDone: state.listingDone && listed.length === 0,
      jobs: details.list(),
      jobsLeftOut: details.omitted,
      ...(createOnce ? { created: created.list() } : {}),
    };
    await continueAsNew<typeof resyncJobs>({ ...input, carry });
  }

  /** Sends everything; returns once nothing is left to send and no report can bring a CREATE any more. */
  async function sendEverything(): Promise<void> {
    for (;;) {
      if (state.createQueue.length > 0) {
        const queued = state.createQueue.slice(0, BATCH_SIZE);
        const batch = createOnce ? [...new Set(queued)].filter((id) => !created.has(id)) : queued;
        if (batch.length > 0) await post(batch, 'CREATE');
        // Reports that came during the call added to the queue: only what was taken leaves it.
        state.createQueue = state.createQueue.slice(keepCreateQueue ? queued.length : BATCH_SIZE);
        continue;
      }
      const batch = await nextBatch();
      if (batch) {
        await post(batch, 'UPDATE');
        if (input.syncAllOpenJobs) {
          listed = listed.slice(batch.length);
          state.after = batch[batch.length - 1];
        } else {
          state.nextIndex += batch.length;
        }
        await continueAsNewIfLarge();
        continue;
      }
      // All sent: a report may still ask for CREATEs, until the deadline.
      await condition(
        () =>
          state.createQueue.length > 0 ||
          state.awaitingReports <= 0 ||
          deadlinePassed ||
          laterDelivery !== undefined,
      );
      if (state.createQueue.length === 0) return;
    }
  }

  const timerScope = new CancellationScope();
  const workScope = new CancellationScope();
  const timer = timerScope
    .run(() => sleep(Math.max(0, deadlineAt - Date.now())))
    .then(
      () => {
        deadlinePassed = true;
        return 'deadline' as const;
      },
      (error: unknown) => {
        if (isCancellation(error)) return 'cancelled' as const;
        throw error;
      },
    );
  const sending = workScope.run(sendEverything).then(() => 'sent' as const);
  const first = await Promise.race([sending, timer]);

  if (first === 'sent') {
    timerScope.cancel();
  } else {
    const unsent = inFlight.length > 0 || state.createQueue.length > 0 || !sourceExhausted();
    workScope.cancel();
    await sending.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    if (unsent) await failForDeadline();
  }

  // Everything is sent; wait for LinkedIn's confirmations until the follow-up window closes.
  sendingDone = true;
  await Promise.all(childStarts);
  // Each follower stops at the window's end and then reports; give the last reports time to arrive.
  await condition(
    () => state.awaitingReports <= 0 || laterDelivery !== undefined,
    Math.max(0, followUpEndsAt + REPORT_GRACE_MS - Date.now()),
  );
  if (laterDelivery !== undefined) await newRound(laterDelivery);
  if (state.awaitingReports > 0) {
    // A follower that never reported: its jobs were sent, but nobody saw LinkedIn confirm them.
    for (const job of details.list()) {
      if (job.confirmation === 'PENDING')
        details.patch(job.externalJobPostingId, { confirmation: 'UNCONFIRMED' });
    }
    totals.unconfirmed = totals.updated + totals.created + totals.closed - totals.confirmed;
  }
  const outcome: ResyncOutcome =
    totals.rejected + totals.notInAts + totals.missedDeadline === 0 ? 'SUCCEEDED' : 'PARTIAL';
  upsertSearchAttributes([{ key: RESYNC_OUTCOME, value: outcome }]);
  await countResync(urn, outcome);
  log.info('resync finished', { outcome, totals: { ...totals } });
  await condition(allHandlersFinished);
  // A delivery that came while this round was ending is answered 200 too: checked in the same workflow
  // task as the completion, which Temporal refuses (and runs again) if one arrives in between.
  if (recheckLateDelivery && laterDelivery !== undefined) await newRound(laterDelivery);
  return result(outcome);

  /**
   * LinkedIn asked again after this round was sent (or missed its deadline): a new round sends everything
   * again, with the deadline counted from the new receipt. Reports of this round's followers are ignored.
   */
  async function newRound(receivedAt: number): Promise<never> {
    await condition(allHandlersFinished);
    log.info('notification received again after sending; starting a new round', { receivedAt });
    const next: ResyncInput = {
      developerApplicationUrn: input.developerApplicationUrn,
      syncAllOpenJobs: input.syncAllOpenJobs,
      externalJobPostingIds: input.externalJobPostingIds,
      receivedAt,
      deadlineMs: input.deadlineMs,
      followUpWindowMs: input.followUpWindowMs,
      ...(input.batchesPerRun === undefined ? {} : { batchesPerRun: input.batchesPerRun }),
      round: round + 1,
    };
    if (!recheckLateDelivery) return continueAsNew<typeof resyncJobs>(next);
    // The new round has no outcome yet, whatever this one's was.
    return makeContinueAsNewFunc<typeof resyncJobs>({
      typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: urn }],
    })(next);
  }

  function result(outcome: ResyncOutcome): ResyncResult {
    return {
      developerApplicationUrn: urn,
      outcome,
      totals: {
        ...totals,
        sent: totals.updated + totals.created + totals.closed,
        outcomeUnknown: totals.outcomeUnknown ?? 0,
      },
      jobs: details.list(),
      jobsLeftOut: details.omitted,
      continuedAsNew: state.runs,
    };
  }

  async function failForDeadline(): Promise<never> {
    // The batch in flight was abandoned unanswered: LinkedIn may have received it, or not.
    const abandoned = new Set(inFlight);
    const notSent = state.createQueue.filter((id) => !abandoned.has(id));
    const fromCreateQueue = notSent.length;
    if (input.syncAllOpenJobs) {
      notSent.push(...listed.filter((id) => !abandoned.has(id)));
    } else {
      notSent.push(...input.externalJobPostingIds.slice(state.nextIndex).filter((id) => !abandoned.has(id)));
    }
    let notSentCount = notSent.length;
    let unread = false;
    if (input.syncAllOpenJobs && !state.listingDone) {
      // Reading the ATS is not a LinkedIn call: list what was never reached, so the failure names it.
      const after = listed.length > 0 ? listed[listed.length - 1] : state.after;
      const args = { developerApplicationUrn: urn, after, sampleSize: 1_000 };
      if (deadlineBounds) {
        // An ATS outage must not keep this run from ending: it ends naming the jobs it knows of.
        const bound = Math.min(MAX_REMAINING_READ_MS, Math.max(10_000, input.deadlineMs));
        const rest = await ats.remainingOpenJobs
          .executeWithOptions(
            {
              startToCloseTimeout: Math.min(60_000, bound),
              scheduleToCloseTimeout: bound,
              heartbeatTimeout: '30 seconds',
              retry,
            },
            [args],
          )
          .catch((error: unknown) => {
            if (!(error instanceof ActivityFailure)) throw error;
            log.warn('open jobs never listed could not be read', { error: error.cause?.message ?? '' });
            return undefined;
          });
        if (rest) {
          notSent.push(...rest.sample);
          notSentCount += rest.count;
        } else unread = true;
      } else {
        const rest = await ats.remainingOpenJobs(args);
        notSent.push(...rest.sample);
        notSentCount += rest.count;
      }
    }
    const unique = [...new Set(notSent)];
    notSentCount += unique.length - notSent.length;
    if (input.syncAllOpenJobs) {
      totals.requested +=
        notSentCount - fromCreateQueue + (inFlightOperation === 'UPDATE' ? abandoned.size : 0);
    }
    totals.missedDeadline += notSentCount;
    totals.outcomeUnknown = (totals.outcomeUnknown ?? 0) + abandoned.size;
    for (const id of unique) {
      details.set({
        externalJobPostingId: id,
        fate: 'MISSED_DEADLINE',
        reason: 'not sent before the deadline',
      });
    }
    for (const id of abandoned) {
      details.set({
        externalJobPostingId: id,
        fate: 'OUTCOME_UNKNOWN',
        reason: 'sent in a call the deadline abandoned unanswered: LinkedIn may have received it',
      });
    }
    upsertSearchAttributes([{ key: RESYNC_OUTCOME, value: 'DEADLINE_EXCEEDED' }]);
    await countResync(urn, 'DEADLINE_EXCEEDED');
    log.warn('resync missed its deadline', { notSentCount, outcomeUnknown: abandoned.size });
    const details_: DeadlineExceededDetails = {
      notSent: unique.slice(0, 1_000),
      notSentCount,
      outcomeUnknown: [...abandoned],
      result: result('DEADLINE_EXCEEDED'),
    };
    const plural = (n: number) => `${n} job${n === 1 ? '' : 's'}`;
    const shown = unique.slice(0, 10).join(', ');
    const message = [
      `the ${Math.round(input.deadlineMs / 1000)} s deadline passed with ${plural(notSentCount)} not sent`,
      notSentCount > 0 ? `: ${shown}${notSentCount > 10 ? ', …' : ''}` : '',
      unread ? ' (and the ATS could not be read for the open jobs never listed)' : '',
      abandoned.size > 0
        ? `; ${plural(abandoned.size)} in a call abandoned unanswered (LinkedIn may have received them)`
        : '',
    ].join('');
    // A delivery that came while this run was failing starts a new round rather than being lost.
    if (recheckLateDelivery && laterDelivery !== undefined) await newRound(laterDelivery);
    throw ApplicationFailure.create({
      type: FailureType.ResyncDeadlineExceeded,
      nonRetryable: true,
      message,
      details: [details_],
    });
  }
}
