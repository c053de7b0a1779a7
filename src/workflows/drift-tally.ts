import type { CheckDriftPageOutput } from '../activities';
import type { DriftCheckProgress, DriftCheckResult, DriftKind, StatusProblem } from '../drift-contract';

const MAX_PROBLEMS_LISTED = 100;

function byKind(): Record<DriftKind, number> {
  return { NOT_LISTED: 0, CLOSED_BUT_LISTED: 0, CHANGED: 0 };
}

/**
 * What a drift check found and repaired: pages of the comparison are added, repairs applied, and the
 * progress, summary and result read from it. Plain state, tested without Temporal.
 */
export class DriftTally {
  /** Each drifted job once, with the kind its first page saw. */
  private readonly drifts = new Map<string, DriftKind>();
  readonly drifted = byKind();
  readonly repaired = byKind();
  private readonly problems: StatusProblem[] = [];
  private problemCount = 0;
  checked = 0;
  private inSync = 0;
  undecided = 0;
  private repairing = 0;
  notRepaired = 0;
  done = false;

  addPage(page: CheckDriftPageOutput): void {
    this.checked += page.checked;
    this.inSync += page.inSync;
    this.undecided += page.undecided;
    for (const { externalJobPostingId, kind } of page.drifted) {
      if (this.drifts.has(externalJobPostingId)) continue;
      this.drifts.set(externalJobPostingId, kind);
      this.drifted[kind]++;
    }
    this.problemCount += page.problems.length;
    for (const problem of page.problems) {
      if (this.problems.length < MAX_PROBLEMS_LISTED) this.problems.push(problem);
    }
  }

  get driftCount(): number {
    return this.drifts.size;
  }

  /** The drifted ids in order, as the repairs take them. */
  driftedIds(): string[] {
    return [...this.drifts.keys()].sort();
  }

  repairStarted(ids: string[]): void {
    this.repairing += ids.length;
  }

  /** Counts the ids of a finished repair: those in `failed` as not repaired, the others by kind. */
  repairEnded(ids: string[], failed: Set<string>): void {
    for (const id of ids) {
      const kind = this.drifts.get(id);
      if (!kind) continue;
      if (failed.has(id)) this.notRepaired++;
      else this.repaired[kind]++;
    }
  }

  repairedTotal(): number {
    return this.repaired.NOT_LISTED + this.repaired.CLOSED_BUT_LISTED + this.repaired.CHANGED;
  }

  progress(): DriftCheckProgress {
    return {
      checked: this.checked,
      drifted: this.drifts.size,
      repairing: this.repairing,
      repaired: this.repairedTotal(),
      done: this.done,
    };
  }

  /** "Drift check of 280 jobs: 3 repaired" (", 1 not repaired" when some were not). */
  summary(): string {
    const checked = this.checked;
    return `Drift check of ${checked} job${checked === 1 ? '' : 's'}: ${this.repairedTotal()} repaired${
      this.notRepaired > 0 ? `, ${this.notRepaired} not repaired` : ''
    }`;
  }

  result(developerApplicationUrn: string, repairWorkflowIds: string[], summary: string): DriftCheckResult {
    return {
      developerApplicationUrn,
      checked: this.checked,
      inSync: this.inSync,
      undecided: this.undecided,
      drifted: this.drifted,
      repaired: this.repaired,
      notRepaired: this.notRepaired,
      repairWorkflowIds,
      problems: this.problems,
      problemCount: this.problemCount,
      summary,
    };
  }
}
