import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of docs/metrics.md's table. */
export interface DocumentedMetric {
  /** A full name, or a prefix ending in `*` (a library's own families, listed by prefix). */
  name: string;
  type: string;
  labelNames: string[];
  servedBy: 'api' | 'worker';
  /** `first scrape`, `after a resync` (the SDK's, once it has run one), or `on failure`. */
  present: string;
}

export const METRICS_DOC = join(__dirname, '..', '..', 'docs', 'metrics.md');

/** The rows of the table under "## The metrics" in docs/metrics.md. */
export function documentedMetrics(): DocumentedMetric[] {
  const text = readFileSync(METRICS_DOC, 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('The metrics'));
  if (!section) throw new Error('docs/metrics.md has no "## The metrics" section');
  const rows: DocumentedMetric[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 7 || !cells[1]?.startsWith('`')) continue;
    const [, name = '', type = '', labels = '', servedBy = '', present = ''] = cells;
    if (servedBy !== 'api' && servedBy !== 'worker')
      throw new Error(`metrics.md: "${servedBy}" serves ${name}`);
    rows.push({
      name: name.replaceAll('`', ''),
      type,
      labelNames: labels === '—' ? [] : labels.split(',').map((label) => label.trim().replaceAll('`', '')),
      servedBy,
      present,
    });
  }
  return rows;
}

/** The documented row of a served family: by its full name, else by a prefix row. */
export function rowOf(rows: readonly DocumentedMetric[], servedBy: string, name: string) {
  return (
    rows.find((row) => row.servedBy === servedBy && row.name === name) ??
    rows.find(
      (row) => row.servedBy === servedBy && row.name.endsWith('*') && name.startsWith(row.name.slice(0, -1)),
    )
  );
}
