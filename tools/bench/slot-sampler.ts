/** A worker's task slot use over time, scraped from its Prometheus endpoint while a phase runs. */
import { percentile, sleep } from './measure';

/** The worker's slot use and the SDK's schedule-to-start figures, scraped from its Prometheus endpoint. */
export function sampleSlots(url: string, everyMs: number) {
  const samples: Array<Record<string, number>> = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const text = await fetch(url)
        .then((response) => response.text())
        .catch(() => '');
      const sample: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const match = /^temporal_worker_task_slots_used\{(.*)\} (\S+)$/.exec(line);
        if (!match) continue;
        const labels = match[1] ?? '';
        const type = /worker_type="(\w+)"/.exec(labels)?.[1] ?? '?';
        const queue = /task_queue="([^"]+)"/.exec(labels)?.[1] ?? '?';
        sample[`${queue}/${type}`] = Number(match[2]);
      }
      samples.push(sample);
      await sleep(everyMs);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const keys = new Set(samples.flatMap((sample) => Object.keys(sample)));
    return Object.fromEntries(
      [...keys].map((key) => {
        const values = samples.map((sample) => sample[key] ?? 0);
        return [
          key,
          { p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: percentile(values, 1) },
        ];
      }),
    );
  };
}
