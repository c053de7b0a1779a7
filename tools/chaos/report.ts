/** The chaos run's table: one row a scenario. */
import type { ScenarioResult } from './scenario';

export interface ScenarioRow {
  name: string;
  seconds: number;
  result: ScenarioResult | undefined;
  error: string | undefined;
}

const COLUMNS: Array<{ title: string; value: (row: ScenarioRow) => string; right?: boolean }> = [
  { title: 'scenario', value: (row) => row.name },
  {
    title: 'notifications',
    value: (row) =>
      row.result ? `${row.result.figures.accepted} (${row.result.figures.deliveries} deliveries)` : '-',
    right: true,
  },
  { title: 'jobs', value: (row) => (row.result ? String(row.result.figures.jobs) : '-'), right: true },
  { title: 'lost', value: (row) => (row.result ? String(row.result.figures.lost) : '-'), right: true },
  {
    title: 'duplicated',
    value: (row) => (row.result ? String(row.result.figures.duplicated) : '-'),
    right: true,
  },
  {
    title: '500s',
    value: (row) => (row.result ? String(row.result.figures.fiveHundreds) : '-'),
    right: true,
  },
  { title: 'time', value: (row) => `${row.seconds.toFixed(0)} s`, right: true },
  { title: 'result', value: (row) => (row.error ? 'ERROR' : row.result?.problems.length ? 'FAIL' : 'ok') },
];

export function renderTable(rows: readonly ScenarioRow[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => column.value(row)));
  const widths = COLUMNS.map((column, i) =>
    Math.max(column.title.length, ...cells.map((line) => line[i]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    `| ${values.map((value, i) => (COLUMNS[i]?.right ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(COLUMNS.map((column) => column.title)),
    `|${widths.map((width, i) => (COLUMNS[i]?.right ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

export const LEGEND = [
  'notifications: distinct notifications answered 200 (all deliveries, re-deliveries and bad input included);',
  'jobs: the jobs those notifications asked for; lost: of those, jobs LinkedIn never got with the right',
  'operation (UPDATE, CREATE for the jobs it lacked, CLOSE for jobs closed in the ATS) or does not show so;',
  'duplicated: jobs CREATEd twice plus calls that carried an id twice; 500s: deliveries answered 500.',
].join('\n');
