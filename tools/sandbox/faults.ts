/** The fault knobs' state: what the sandbox's endpoints read to know how to misbehave on each call. */
import { z } from 'zod';
import type { FaultKnobs } from './fault-knobs';
import {
  ElementOperation,
  FaultEndpoint,
  FaultSpec,
  TaskOutcome,
  type ElementRejection,
  type ElementRejectionRule,
  type RandomFailures,
  type TaskOutcomeRule,
} from './fault-rules';
import { Gate, type HoldOptions } from './gate';
import { RecordThrottle, type ThrottleRule } from './throttle';

/** One of LinkedIn's transient failures, as `failAtRandom` picks them. */
function randomFailure(endpoint: FaultEndpoint, rule: RandomFailures, random: () => number): FaultSpec {
  const kinds: FaultSpec[] = [
    { endpoint, retryAfterSeconds: rule.retryAfterSeconds ?? 1 },
    { endpoint, status: 500 },
    { endpoint, status: 503 },
    { endpoint, status: 504 },
    { endpoint, hang: true },
  ];
  if (endpoint === 'simpleJobPostings') kinds.push({ endpoint, elementShare: 1 / 3, elementStatus: 500 });
  return kinds[Math.min(kinds.length - 1, Math.floor(random() * kinds.length))] ?? { endpoint, status: 500 };
}

export class Faults implements FaultKnobs {
  private queue: { fault: FaultSpec; remaining: number }[] = [];
  private readonly latency = new Map<FaultEndpoint, number>();
  private readonly rejections = new Map<string, ElementRejection>();
  private readonly outcomes = new Map<string, TaskOutcomeRule>();
  private stringStatuses = false;
  private idLength: number | undefined;
  private runningStatus: string | number | undefined;
  private gates: Gate[] = [];
  private randomFailures: RandomFailures | undefined;
  private recordThrottle: RecordThrottle | undefined;

  constructor(
    private readonly expireTokens: () => void,
    private readonly revokeTokens: () => void = () => undefined,
  ) {}

  enqueue(fault: FaultSpec): void {
    const parsed = FaultSpec.parse(fault);
    this.queue.push({ fault: parsed, remaining: parsed.times ?? 1 });
  }

  setLatency(endpoint: FaultEndpoint, ms: number): void {
    this.latency.set(FaultEndpoint.parse(endpoint), z.number().nonnegative().parse(ms));
  }

  rejectElement(externalJobPostingId: string, rejection: ElementRejectionRule): void {
    this.rejections.set(externalJobPostingId, {
      status: rejection.status ?? 422,
      message: rejection.message,
      operation: rejection.operation === undefined ? undefined : ElementOperation.parse(rejection.operation),
      remaining: rejection.times,
    });
  }

  taskOutcome(externalJobPostingId: string, outcome: TaskOutcome, message?: string): void {
    this.outcomes.set(externalJobPostingId, { outcome: TaskOutcome.parse(outcome), message });
  }

  expireAllTokens(): void {
    this.expireTokens();
  }

  revokeAllTokens(): void {
    this.revokeTokens();
  }

  failAtRandom(rule: RandomFailures | undefined): void {
    if (rule !== undefined) {
      z.number().min(0).max(1).parse(rule.rate);
      rule.endpoints?.forEach((endpoint) => FaultEndpoint.parse(endpoint));
    }
    this.randomFailures = rule;
  }

  throttle(rule: ThrottleRule | undefined): void {
    this.recordThrottle = rule === undefined ? undefined : new RecordThrottle(rule);
  }

  /** The posting limit per application, when one is set (`throttle`). */
  get postingThrottle(): RecordThrottle | undefined {
    return this.recordThrottle;
  }

  /** Chance for an element of a call that fails some of its elements (`elementShare`). */
  get random(): () => number {
    return this.randomFailures?.random ?? Math.random;
  }

  statusesAsStrings(on: boolean): void {
    this.stringStatuses = on;
  }

  acceptIdsUpTo(length: number | undefined): void {
    this.idLength = length;
  }

  get maxExternalIdLength(): number | undefined {
    return this.idLength;
  }

  reportRunningTasksAs(status: string | number | undefined): void {
    this.runningStatus = status;
  }

  hold(endpoint: FaultEndpoint, options: HoldOptions = {}): Gate {
    const gate = new Gate(
      FaultEndpoint.parse(endpoint),
      options.passing ?? 0,
      options.application,
      options.carrying,
    );
    this.gates.push(gate);
    return gate;
  }

  /**
   * Waits at every gate of the endpoint (made for `application`, when known; carrying `jobs`, the call's
   * job ids); whether one of them held the call.
   */
  async passGates(
    endpoint: FaultEndpoint,
    application?: string | null,
    jobs: readonly string[] = [],
  ): Promise<boolean> {
    let held = false;
    for (const gate of this.gates) {
      if (gate.endpoint !== endpoint) continue;
      if (gate.application !== undefined && gate.application !== application) continue;
      if (gate.carrying !== undefined && !jobs.includes(gate.carrying)) continue;
      if (await gate.pass()) held = true;
    }
    return held;
  }

  clear(): void {
    for (const gate of this.gates) gate.release();
    this.gates = [];
    this.queue = [];
    this.latency.clear();
    this.rejections.clear();
    this.outcomes.clear();
    this.stringStatuses = false;
    this.idLength = undefined;
    this.runningStatus = undefined;
    this.randomFailures = undefined;
    this.recordThrottle = undefined;
  }

  get answersStatusesAsStrings(): boolean {
    return this.stringStatuses;
  }

  get runningTaskStatus(): string | number | undefined {
    return this.runningStatus;
  }

  /** Consumes one use of the oldest queued fault for the endpoint (and for a call carrying its job). */
  take(endpoint: FaultEndpoint, jobs: readonly string[] = []): FaultSpec | undefined {
    const entry = this.queue.find(
      ({ fault }) =>
        fault.endpoint === endpoint && (fault.carrying === undefined || jobs.includes(fault.carrying)),
    );
    if (entry === undefined) return this.takeRandom(endpoint);
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue = this.queue.filter((candidate) => candidate !== entry);
    return entry.fault;
  }

  private takeRandom(endpoint: FaultEndpoint): FaultSpec | undefined {
    const rule = this.randomFailures;
    if (rule === undefined || (rule.endpoints !== undefined && !rule.endpoints.includes(endpoint)))
      return undefined;
    const random = rule.random ?? Math.random;
    return random() < rule.rate ? randomFailure(endpoint, rule, random) : undefined;
  }

  latencyFor(endpoint: FaultEndpoint): number {
    return this.latency.get(endpoint) ?? 0;
  }

  /** The rejection for this element, if a rule applies to it; consumes one of a limited rule's uses. */
  rejectionFor(externalJobPostingId: string, operation: string | null): ElementRejection | undefined {
    const rule = this.rejections.get(externalJobPostingId);
    if (rule === undefined || (rule.operation !== undefined && rule.operation !== operation))
      return undefined;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rejections.delete(externalJobPostingId);
    }
    return rule;
  }

  outcomeFor(externalJobPostingId: string): TaskOutcomeRule | undefined {
    return this.outcomes.get(externalJobPostingId);
  }
}
