/** One metric family of a Prometheus text exposition: its type and the label names its samples carry. */
export interface Family {
  type: string;
  labelNames: Set<string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
/** Labels a histogram's or summary's samples carry that are not the family's own. */
const SERIES_LABELS = new Set(['le', 'quantile']);

/**
 * Parses the text format Prometheus scrapes (the one /metrics serves): families by name, from their
 * `# TYPE` lines; a histogram's `_bucket`, `_sum` and `_count` samples belong to it.
 */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string) => {
    if (families.has(sample)) return families.get(sample);
    const base = sample.replace(/_(bucket|sum|count)$/, '');
    return families.get(base);
  };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      families.set(type[1] ?? '', { type: type[2] ?? '', labelNames: new Set(), samples: [] });
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const [, name = '', labelText = '', value = ''] = match;
    const family = familyOf(name);
    if (!family) throw new Error(`a sample of no declared family: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key = '', labelValue = ''] of labelText.matchAll(LABEL)) {
      labels[key] = labelValue;
      if (!SERIES_LABELS.has(key)) family.labelNames.add(key);
    }
    family.samples.push({ name, labels, value: Number(value) });
  }
  return families;
}
