/** The tenants benchmark's command line (`npm run bench -- --tenants …`): sizes, window, schedules. */
import { parseArgs } from 'node:util';

export interface TenantsOptions {
  largeJobs: number;
  smallApps: number;
  smallJobs: number;
  windowMs: number;
  schedules: number;
  idleMs: number;
  /** Stop the large resync once the small ones are measured, rather than timing it to its end. */
  quick: boolean;
  /** LARGE_RESYNC_JOBS: more jobs than this start on the large resyncs' queue; 0: one queue for all. */
  largeResyncJobs: number;
  /** How long LinkedIn takes to answer each posting call (the sandbox's latency), for every application. */
  latencyMs: number;
}

export function parseTenantsOptions(argv: string[]): TenantsOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: 'boolean' },
      large: { type: 'string', default: '100000' },
      small: { type: 'string', default: '1000' },
      'small-jobs': { type: 'string', default: '10' },
      window: { type: 'string', default: '120' },
      schedules: { type: 'string', default: '10000' },
      idle: { type: 'string', default: '30' },
      quick: { type: 'boolean', default: false },
      'large-resync-jobs': { type: 'string', default: '1000' },
      latency: { type: 'string', default: '0' },
    },
    strict: true,
  });
  return {
    largeJobs: Number(values.large),
    smallApps: Number(values.small),
    smallJobs: Number(values['small-jobs']),
    windowMs: Number(values.window) * 1000,
    schedules: Number(values.schedules),
    idleMs: Number(values.idle) * 1000,
    quick: values.quick,
    largeResyncJobs: Number(values['large-resync-jobs']),
    latencyMs: Number(values.latency),
  };
}
