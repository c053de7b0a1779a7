/** What a scenario is given and what it gives back; how every scenario ends. */
import type { Figures, Ledger } from './ledger';
import type { Rig, ServiceBuild } from './rig';

export interface ScenarioContext {
  rig: Rig;
  quick: boolean;
  /** How long the sandbox fails calls at random (linkedin-faults). */
  faultSeconds: number;
  current: ServiceBuild;
  /** The previous release, built; undefined (with why) when it cannot be. */
  previous: () => Promise<ServiceBuild | { unavailable: string }>;
  root: string;
  /** A developer application number no other scenario of the run uses. */
  nextApplicationNumber(): number;
  log(message: string): void;
}

export interface ScenarioResult {
  figures: Figures;
  /** Why the scenario failed; empty when it held. */
  problems: string[];
  /** How the resyncs ended (closed runs by status). */
  runs: Record<string, number>;
  details: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  /** One line: what is done to the service. */
  title: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/**
 * Waits until the scenario's resyncs have ended, then judges from the sandbox's record. Lost jobs,
 * duplicates and resyncs still running are problems; `allowedFiveHundreds` says whether a 500 is (Temporal
 * down: LinkedIn delivers again).
 */
export async function finish(
  context: ScenarioContext,
  ledger: Ledger,
  options: {
    settleMs: number;
    allowedFiveHundreds: boolean;
    details?: Record<string, unknown>;
    problems?: string[];
  },
): Promise<ScenarioResult> {
  const settled = await context.rig.settled(ledger.urns, options.settleMs);
  const runs = await context.rig.runs(ledger.urns);
  const figures = ledger.judge();
  const problems = [...(options.problems ?? [])];
  if (!settled) problems.push(`resyncs still running after ${Math.round(options.settleMs / 1000)} s`);
  if (figures.lost > 0)
    problems.push(
      `${figures.lost} jobs of notifications answered 200 never reached LinkedIn: ${figures.lostIds.join(', ')}`,
    );
  if (figures.duplicatedCreates.length > 0)
    problems.push(`CREATEd twice: ${figures.duplicatedCreates.join(', ')}`);
  if (figures.callsWithRepeatedIds > 0)
    problems.push(`${figures.callsWithRepeatedIds} calls carried an id twice`);
  if (!options.allowedFiveHundreds && figures.fiveHundreds > 0)
    problems.push(`${figures.fiveHundreds} deliveries answered 500`);
  if (figures.accepted === 0) problems.push('no notification was answered 200');
  if (!context.rig.api?.alive) problems.push('the API process is gone');
  if (!context.rig.worker?.alive) problems.push('the worker process is gone');
  return { figures, problems, runs, details: options.details ?? {} };
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
