/** Scenarios where LinkedIn misbehaves: failing calls at random, tokens taken away mid-run. */
import type { RecordedCall } from '../sandbox/linkedin-sandbox';
import { deliver, postingCalls, slices } from './delivery';
import { createApplication, Ledger } from './ledger';
import { finish, pause, type Scenario } from './scenario';

/** Answers by status (0: never answered, a hung call) among the calls after `afterSeq`. */
function answersSince(calls: RecordedCall[], afterSeq: number): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const call of calls) {
    if (call.seq <= afterSeq || call.endpoint === 'other') continue;
    const key = `${call.endpoint} ${call.status}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

/**
 * For `faultSeconds`, 30 % of LinkedIn's calls fail: 429 with Retry-After, 500/503/504, hung connections,
 * and 200s with a third of their elements failing with 500. Resyncs start before and during the window.
 */
export const linkedinFaults: Scenario = {
  name: 'linkedin-faults',
  title: 'the sandbox failing 30 % of calls (429, 5xx, hung, element 500)',
  async run(context) {
    const { rig } = context;
    const all = await createApplication(
      rig,
      context.nextApplicationNumber(),
      'lf-a-',
      context.quick ? 600 : 1_200,
    );
    const some = await createApplication(rig, context.nextApplicationNumber(), 'lf-b-', 400);
    const ledger = new Ledger(rig);
    const faults = rig.sandbox.faults;
    faults.failAtRandom({
      rate: 0.3,
      endpoints: ['token', 'simpleJobPostings', 'simpleJobPostingTasks'],
      retryAfterSeconds: 1,
    });
    const startedAt = Date.now();
    const deliveries = [deliver(rig, ledger, all, 'all')];
    try {
      const pieces = slices(some, 40, 10);
      while (Date.now() - startedAt < context.faultSeconds * 1_000) {
        const ids = pieces.shift();
        if (ids !== undefined) deliveries.push(deliver(rig, ledger, some, ids));
        await pause(2_000);
      }
    } finally {
      faults.failAtRandom(undefined);
    }
    const answers = answersSince(rig.sandbox.calls(), ledger.firstCallSeq);
    const elementFailures = rig.sandbox.postedElements().filter((element) => element.status === 500).length;
    context.log(`faults off after ${context.faultSeconds} s; ${elementFailures} elements failed with 500`);
    await Promise.all(deliveries);
    return finish(context, ledger, {
      settleMs: 300_000,
      allowedFiveHundreds: false,
      details: { faultSeconds: context.faultSeconds, answersDuringFaults: answers, elementFailures },
    });
  },
};

/** Every token LinkedIn issued expires (65602) or is revoked (65600), again and again, while resyncs run. */
export const tokenRevocation: Scenario = {
  name: 'token-revocation',
  title: 'tokens revoked and expired mid-run',
  async run(context) {
    const { rig } = context;
    const all = await createApplication(
      rig,
      context.nextApplicationNumber(),
      'tk-a-',
      context.quick ? 800 : 1_500,
    );
    const some = await createApplication(rig, context.nextApplicationNumber(), 'tk-b-', 200);
    const ledger = new Ledger(rig);
    const faults = rig.sandbox.faults;
    faults.setLatency('simpleJobPostings', 100);
    try {
      const deliveries = [
        deliver(rig, ledger, all, 'all'),
        ...slices(some, 8, 25).map((ids) => deliver(rig, ledger, some, ids)),
      ];
      await postingCalls(rig, all.urn, 2);
      const rounds = context.quick ? 6 : 12;
      for (let round = 0; round < rounds; round += 1) {
        if (round % 2 === 0) faults.revokeAllTokens();
        else faults.expireAllTokens();
        await pause(1_500);
      }
      context.log(`tokens revoked or expired ${rounds} times`);
      await Promise.all(deliveries);
      const calls = rig.sandbox.calls().filter((call) => call.seq > ledger.firstCallSeq);
      return await finish(context, ledger, {
        settleMs: 240_000,
        allowedFiveHundreds: false,
        details: {
          revocations: rounds,
          answered401: calls.filter((call) => call.status === 401).length,
          tokensIssued: calls.filter((call) => call.endpoint === 'token' && call.status === 200).length,
        },
      });
    } finally {
      faults.setLatency('simpleJobPostings', 0);
    }
  },
};
