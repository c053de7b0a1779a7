import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { documentedMetrics, METRICS_DOC, rowOf } from './support/metrics-table';

/**
 * deploy/prometheus's rules under `promtool` (Debian's prometheus package, installed by
 * `scripts/setup.mjs --for-tests`), and every metric the rules and the Grafana dashboard use being one the
 * service serves (docs/metrics.md's table, which test/metrics.test.ts holds against both /metrics).
 */
const ROOT = join(__dirname, '..');
const RULES = join(ROOT, 'deploy', 'prometheus', 'alerts.yml');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'linkedin-resync.json');
const run = promisify(execFile);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (group) => group.rules,
);

test('promtool checks the rules and passes their unit tests (deploy/prometheus/tests)', async () => {
  const checked = await run('promtool', ['check', 'rules', RULES]);
  expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  const tested = await run('promtool', [
    'test',
    'rules',
    join(ROOT, 'deploy', 'prometheus', 'tests', 'alerts.test.yml'),
  ]);
  expect(tested.stdout).toContain('SUCCESS');
});

test('every alert the rules name has a unit test that fires it', () => {
  const tests = readFileSync(join(ROOT, 'deploy', 'prometheus', 'tests', 'alerts.test.yml'), 'utf8');
  const firing = new Set(
    [...tests.matchAll(/alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels/g)].map((match) => match[1]),
  );
  expect(rules.map((rule) => rule.alert).filter((alert) => !firing.has(alert))).toEqual([]);
});

test('every alert has a summary, a description and a runbook pointing at a heading of docs/metrics.md', () => {
  const headings = new Set(
    [...readFileSync(METRICS_DOC, 'utf8').matchAll(/^#+ (.+)$/gm)].map((match) =>
      (match[1] ?? '')
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  for (const rule of rules) {
    expect([typeof rule.annotations?.summary, typeof rule.annotations?.description]).toEqual([
      'string',
      'string',
    ]);
    const anchor = /^docs\/metrics\.md#(.+)$/.exec(rule.annotations?.runbook ?? '')?.[1];
    expect({ alert: rule.alert, anchor: anchor && headings.has(anchor) }).toEqual({
      alert: rule.alert,
      anchor: true,
    });
  }
});

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression reads (functions, keywords, labels and strings left out). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((match) => match[2] === undefined && !KEYWORDS.has(match[1] ?? ''))
    .map((match) => match[1] ?? '');
}

/** A histogram's series names belong to its family. */
function familyOf(name: string, rows: ReturnType<typeof documentedMetrics>): string | undefined {
  for (const candidate of [name, name.replace(/_(bucket|sum|count)$/, '')]) {
    for (const servedBy of ['api', 'worker']) if (rowOf(rows, servedBy, candidate)) return candidate;
  }
  return undefined;
}

test('every metric the rules and the dashboard use is one the service serves (docs/metrics.md)', () => {
  const rows = documentedMetrics();
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ definition?: string }> };
  };
  const expressions = [
    ...rules.map((rule) => rule.expr),
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...dashboard.templating.list.flatMap((variable) =>
      variable.definition ? [variable.definition.replace(/^label_values\((\w+),.*$/, '$1')] : [],
    ),
  ];
  const used = new Set(expressions.flatMap(metricNames));
  expect(used.size).toBeGreaterThan(10);
  // `up` is Prometheus's own, for every target.
  expect([...used].filter((name) => name !== 'up' && familyOf(name, rows) === undefined)).toEqual([]);
  // The SDK's families the rules use are listed by name, not only by the `temporal_*` row.
  expect(rows.some((row) => row.name === 'temporal_num_pollers')).toBe(true);
});

test('metricNames reads names, not functions, labels or strings', () => {
  expect(
    metricNames(
      'sum by (application) (rate(a_total{status=~"5..",x="b_total"}[5m])) / on(x) up or absent(b) > 0.1',
    ),
  ).toEqual(['a_total', 'up', 'b']);
});
