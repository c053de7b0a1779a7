/**
 * Total length of the ids remembered as CREATEd. They travel in every continue-as-new input, so they are
 * bounded: about 10,000 ids of ten characters, about 1,300 of LinkedIn's longest (75), some 130 KB at most,
 * well inside Temporal's 2 MB payload limit beside the other carried state.
 */
export const MAX_CREATED_CHARS = 100_000;

/**
 * The jobs this resync had LinkedIn accept a CREATE for, so that none is CREATEd twice (two live postings).
 * Past the bound the oldest are forgotten first: a repeated request to CREATE comes from a report about a
 * recent batch, and the CREATE queue itself never holds an id twice.
 */
export class CreatedJobs {
  private readonly ids = new Set<string>();
  private chars = 0;

  constructor(initial: readonly string[]) {
    for (const id of initial) this.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    this.chars += id.length;
    for (const oldest of this.ids) {
      if (this.chars <= MAX_CREATED_CHARS) break;
      this.ids.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  /** Oldest first, as the next run rebuilds it. */
  list(): string[] {
    return [...this.ids];
  }
}
