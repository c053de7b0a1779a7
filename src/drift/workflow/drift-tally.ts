import type { CheckDriftPageOutput } from '../../activities';
import type {
  DriftCheckProgress,
  DriftCheckResult,
  DriftKind,
  ShownDifference,
  StatusProblem,
} from '../../contract/drift';

const MAX_PROBLEMS_LISTED = 100;
const MAX_SHOWN_LISTED = 100;

/** Drifted jobs one check repairs at most (`maxRepairs`); the rest are left to the next check. */
export const DEFAULT_MAX_REPAIRS = 1_000;
/**
 * The comparison disagrees with LinkedIn when more than half of an application's listed jobs differ
 * (CHANGED, or shown so after a repair), and at least this many: below it, each job is re-posted once and
 * then reported "LinkedIn shows …", which bounds the cost without an alarm.
 */
export const MIN_DISAGREEING_JOBS = 10;

/** Whether `differing` of `listed` jobs say the comparison, not LinkedIn, is wrong (see MIN_DISAGREEING_JOBS). */
export function comparisonDisagrees(differing: number, listed: number): boolean {
  return differing >= MIN_DISAGREEING_JOBS && differing * 2 > listed;
}

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
  private readonly shown: ShownDifference[] = [];
  private shownCount = 0;
  /** Jobs the repairs re-posted for CHANGED. */
  private readonly changedRepaired: string[] = [];
  checked = 0;
  private inSync = 0;
  undecided = 0;
  listed = 0;
  private repairing = 0;
  notRepaired = 0;
  /** Set by `planRepairs`. */
  comparisonDisagrees = false;
  leftForNextCheck = 0;
  done = false;

  addPage(page: CheckDriftPageOutput): void {
    this.checked += page.checked;
    this.inSync += page.inSync;
    this.undecided += page.undecided;
    const changedOnPage = page.drifted.filter((drift) => drift.kind === 'CHANGED').length;
    // A page of a check begun on a release without `listed`: its compared jobs are at least these.
    this.listed += page.listed ?? page.inSync + changedOnPage;
    for (const { externalJobPostingId, kind } of page.drifted) {
      if (this.drifts.has(externalJobPostingId)) continue;
      this.drifts.set(externalJobPostingId, kind);
      this.drifted[kind]++;
    }
    this.problemCount += page.problems.length;
    for (const problem of page.problems) {
      if (this.problems.length < MAX_PROBLEMS_LISTED) this.problems.push(problem);
    }
    this.shownCount += page.linkedInShowsCount ?? 0;
    for (const shown of page.linkedInShows ?? []) {
      if (this.shown.length < MAX_SHOWN_LISTED) this.shown.push(shown);
    }
  }

  get driftCount(): number {
    return this.drifts.size;
  }

  /** Listed jobs whose listedAt or location differ: CHANGED now, or shown so after an earlier repair. */
  get differing(): number {
    return this.drifted.CHANGED + this.shownCount;
  }

  /** The drifted ids in order, as the repairs take them. */
  driftedIds(): string[] {
    return [...this.drifts.keys()].sort();
  }

  /**
   * The ids this check repairs: none of the CHANGED ones when the comparison disagrees with LinkedIn on
   * most listed jobs; the other kinds (a job missing, or listed though closed) before CHANGED, each in id
   * order; at most `maxRepairs`, the rest left to the next check.
   */
  planRepairs(maxRepairs: number): string[] {
    this.comparisonDisagrees = comparisonDisagrees(this.differing, this.listed);
    const first: string[] = [];
    const changed: string[] = [];
    for (const id of this.driftedIds()) {
      (this.drifts.get(id) === 'CHANGED' ? changed : first).push(id);
    }
    const candidates = this.comparisonDisagrees ? first : [...first, ...changed];
    const planned = candidates.slice(0, Math.max(0, Math.floor(maxRepairs)));
    this.leftForNextCheck = candidates.length - planned.length;
    return planned;
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
      else {
        this.repaired[kind]++;
        if (kind === 'CHANGED') this.changedRepaired.push(id);
      }
    }
  }

  /** The jobs re-posted for CHANGED, for the next check to recognise the same difference. */
  changedRepairedIds(): string[] {
    return [...this.changedRepaired];
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

  /**
   * "Drift check of 280 jobs: 3 repaired", with ", 1 not repaired", ", 2 left for the next check",
   * ", 4 as LinkedIn shows them" and "; the comparison disagrees with LinkedIn on 250 of 260 listed jobs,
   * none of them re-posted" when they apply.
   */
  summary(): string {
    const checked = this.checked;
    let text = `Drift check of ${checked} job${checked === 1 ? '' : 's'}: ${this.repairedTotal()} repaired`;
    if (this.notRepaired > 0) text += `, ${this.notRepaired} not repaired`;
    if (this.leftForNextCheck > 0) text += `, ${this.leftForNextCheck} left for the next check`;
    if (this.shownCount > 0) text += `, ${this.shownCount} as LinkedIn shows them`;
    if (this.comparisonDisagrees) {
      text += `; the comparison disagrees with LinkedIn on ${this.differing} of ${this.listed} listed jobs, none of them re-posted`;
    }
    return text;
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
      listed: this.listed,
      linkedInShows: this.shown,
      linkedInShowsCount: this.shownCount,
      comparisonDisagrees: this.comparisonDisagrees,
      leftForNextCheck: this.leftForNextCheck,
      summary,
    };
  }
}
