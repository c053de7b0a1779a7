/** Small measuring helpers: bounded waits, pauses, limited concurrency, percentiles, processes' CPU time. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';

export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

/**
 * CPU time (ms) of this process's child processes named like the Temporal CLI: the dev server. From
 * /proc/<pid>/stat (utime + stime in clock ticks, 100 a second on Linux); null where /proc is missing.
 */
export function temporalServerCpuMs(): number | null {
  let total: number | null = null;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the command name: state, ppid, …, utime (14th field) and stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid || !comm.includes('temporal')) continue;
    total = (total ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }
  return total;
}

/** /proc/<pid>/stat's fields after the command name (state is [0], ppid [1], utime [11]); null if unread. */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime, and with `reaped` also cutime + cstime (its waited-for children's), in ms. */
const ticksMs = (fields: string[], reaped: boolean) =>
  ((Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0)) *
    1000) /
  100;

/**
 * CPU time (ms) of a PostgreSQL server: its postmaster (named by postmaster.pid in `dataDir`) and every
 * process it started (backends, background workers), the ones that have ended included (the postmaster
 * waits for them: their time is in its cutime and cstime). Null where /proc or the file cannot be read.
 */
export function postgresCpuMs(dataDir: string | undefined): number | null {
  if (dataDir === undefined) return null;
  let postmaster: number;
  let entries: string[];
  try {
    postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const own = postmaster > 0 ? statFields(postmaster) : null;
  if (own === null) return null;
  let total = ticksMs(own, true);
  for (const pid of entries) {
    const fields = statFields(pid);
    if (fields !== null && Number(fields[1]) === postmaster) total += ticksMs(fields, true);
  }
  return total;
}

/** CPU time (ms, user + system) of one process from /proc/<pid>/stat; null where it cannot be read. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The machine a bench ran on, for its JSON report: cores, memory, Node, load average at start and end. */
export function machineReport(loadAverageAtStart: number[]) {
  return {
    cpus: cpus().length,
    totalMemoryBytes: totalmem(),
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
  };
}
