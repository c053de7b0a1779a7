/**
 * What a scenario sent and what it expects, and the judgement from the sandbox's record: every job of a
 * notification answered 200 reached LinkedIn with the right operation (UPDATE; CREATE for the jobs LinkedIn
 * lacked; CLOSE for the jobs closed in the ATS) and LinkedIn now shows it so; no job was CREATEd twice; no
 * call carried an id twice.
 */
import type { Rig } from './rig';

export type Operation = 'UPDATE' | 'CREATE' | 'CLOSE';

/** One scenario's developer application: its jobs in the ATS and what LinkedIn held when it began. */
export interface ChaosApplication {
  urn: string;
  openIds: string[];
  closedIds: string[];
  /** Open in the ATS, absent on LinkedIn: a resync must CREATE them (once). */
  missingIds: string[];
  expectedOperation(id: string): Operation;
}

const CLIENT_SECRET_LENGTH = 24;

/**
 * A new application with `jobs` synthetic jobs (every 10th closed) in the ATS. LinkedIn holds them all open
 * (so a CLOSE has something to close) but every 25th open one, which it lacks.
 */
export async function createApplication(
  rig: Rig,
  number: number,
  idPrefix: string,
  jobs: number,
): Promise<ChaosApplication> {
  const urn = `urn:li:developerApplication:${number}`;
  const clientSecret = `chaos-secret-${number}`.padEnd(CLIENT_SECRET_LENGTH, 'x');
  await rig.store.ensureApplication({
    urn,
    clientId: `chaos-client-${number}`,
    clientSecret,
    integrationContext: `urn:li:organization:${number}`,
    companyName: `Chaos ${number}`,
  });
  await rig.store.insertSyntheticJobs(urn, jobs, { idPrefix, closedEvery: 10 });
  const ids = Array.from({ length: jobs }, (_, i) => `${idPrefix}${String(i + 1).padStart(6, '0')}`);
  const loaded = [];
  for (let i = 0; i < ids.length; i += 1_000)
    loaded.push(...(await rig.store.loadJobs(urn, ids.slice(i, i + 1_000))));
  if (loaded.length !== jobs) throw new Error(`${urn}: ${loaded.length} jobs in the ATS, ${jobs} expected`);
  const openIds = loaded.filter((job) => job.status === 'OPEN').map((job) => job.externalJobPostingId);
  const closedIds = loaded.filter((job) => job.status === 'CLOSED').map((job) => job.externalJobPostingId);
  const missingIds = openIds.filter((_, index) => index % 25 === 24);
  const missing = new Set(missingIds);
  const closed = new Set(closedIds);
  rig.sandbox.registerApplication({
    developerApplicationUrn: urn,
    clientId: `chaos-client-${number}`,
    clientSecret,
    kind: 'child',
  });
  rig.sandbox.seedExistingJobs(urn, [...openIds.filter((id) => !missing.has(id)), ...closedIds], 'OPEN');
  return {
    urn,
    openIds,
    closedIds,
    missingIds,
    expectedOperation: (id) => (closed.has(id) ? 'CLOSE' : missing.has(id) ? 'CREATE' : 'UPDATE'),
  };
}

/** A Job Resync Notification body, fields in the order of LinkedIn's samples. */
export function notificationBody(app: ChaosApplication, ids: readonly string[] | 'all'): string {
  return JSON.stringify(
    ids === 'all'
      ? { developerApplicationUrn: app.urn, syncAllOpenJobs: true, type: 'RESYNC_JOBS' }
      : {
          developerApplicationUrn: app.urn,
          externalJobPostingIds: ids,
          syncAllOpenJobs: false,
          type: 'RESYNC_JOBS',
        },
  );
}

export interface Figures {
  /** Deliveries made (re-deliveries included) and how many distinct notifications were answered 200. */
  deliveries: number;
  accepted: number;
  /** Distinct jobs the accepted notifications asked for. */
  jobs: number;
  lost: number;
  lostIds: string[];
  /** Jobs CREATEd more than once plus calls that carried an id twice. */
  duplicated: number;
  duplicatedCreates: string[];
  callsWithRepeatedIds: number;
  fiveHundreds: number;
  /** Deliveries answered something else than 200 and 500, by status (400 for bad input, say). */
  otherAnswers: Record<string, number>;
}

/** The notifications of one scenario and their answers; the judgement at the end. */
export class Ledger {
  private readonly expected = new Map<string, { app: ChaosApplication; ids: Set<string> }>();
  private readonly answers: number[] = [];
  private acceptedBodies = new Set<string>();
  readonly firstCallSeq: number;

  constructor(private readonly rig: Rig) {
    this.firstCallSeq = rig.sandbox.calls().at(-1)?.seq ?? 0;
  }

  /** Records an answer (0: no answer at all) to one delivery of a good notification. */
  answered(app: ChaosApplication, ids: readonly string[] | 'all', body: string, status: number): void {
    this.answers.push(status);
    if (status !== 200) return;
    this.acceptedBodies.add(body);
    const entry = this.expected.get(app.urn) ?? { app, ids: new Set<string>() };
    for (const id of ids === 'all' ? app.openIds : ids) entry.ids.add(id);
    this.expected.set(app.urn, entry);
  }

  /** Records the answer to a delivery that is not a good notification (bad input). */
  answeredBad(status: number): void {
    this.answers.push(status);
  }

  get urns(): string[] {
    return [...this.expected.keys()];
  }

  judge(): Figures {
    const sandbox = this.rig.sandbox;
    const lostIds: string[] = [];
    const duplicatedCreates: string[] = [];
    let jobs = 0;
    for (const { app, ids } of this.expected.values()) {
      const accepted = new Map<string, Set<string>>();
      const creates = new Map<string, number>();
      for (const element of sandbox.postedElements(app.urn)) {
        if (element.status !== 202 || element.externalJobPostingId === null || element.operation === null)
          continue;
        const ops = accepted.get(element.externalJobPostingId) ?? new Set<string>();
        ops.add(element.operation);
        accepted.set(element.externalJobPostingId, ops);
        if (element.operation === 'CREATE')
          creates.set(element.externalJobPostingId, (creates.get(element.externalJobPostingId) ?? 0) + 1);
      }
      for (const [id, count] of creates) if (count > 1) duplicatedCreates.push(id);
      for (const id of ids) {
        jobs += 1;
        const operation = app.expectedOperation(id);
        const state = sandbox.heldJob(app.urn, id)?.state;
        const shown = operation === 'CLOSE' ? state === 'CLOSED' : state === 'OPEN';
        if (!(accepted.get(id)?.has(operation) && shown)) lostIds.push(id);
      }
    }
    const callsWithRepeatedIds = sandbox
      .calls()
      .filter((call) => call.seq > this.firstCallSeq && call.endpoint === 'simpleJobPostings')
      .filter((call) => {
        const ids = (call.elements ?? []).map((element) =>
          typeof element === 'object' && element !== null
            ? (element as { externalJobPostingId?: unknown }).externalJobPostingId
            : undefined,
        );
        return new Set(ids).size !== ids.length;
      }).length;
    const otherAnswers: Record<string, number> = {};
    for (const status of this.answers)
      if (status !== 200 && status !== 500)
        otherAnswers[String(status)] = (otherAnswers[String(status)] ?? 0) + 1;
    return {
      deliveries: this.answers.length,
      accepted: this.acceptedBodies.size,
      jobs,
      lost: lostIds.length,
      lostIds: lostIds.slice(0, 20),
      duplicated: duplicatedCreates.length + callsWithRepeatedIds,
      duplicatedCreates: duplicatedCreates.slice(0, 20),
      callsWithRepeatedIds,
      fiveHundreds: this.answers.filter((status) => status === 500).length,
      otherAnswers,
    };
  }
}
