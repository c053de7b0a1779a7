/**
 * `npm run resync -- <command>`: the operator's command line. `send` plays LinkedIn (a signed notification,
 * redelivered on any answer but 200); `start`, `watch` and `list` talk to Temporal directly.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { ConfigError, loadCliConfig, type CliConfig } from '../config';
import { createTemporalClient } from '../temporal-client';
import { UsageError, type Output } from './args';
import { echo } from '../echo';
import { driftNow, parseDriftArgs } from './drift';
import { listCommand, parseListArgs } from './list';
import { parseSendArgs, sendNotification, sendSecret } from './send';
import { applicationsCommand } from './applications';
import type { SecretInput } from './secret-input';
import { parseStartArgs, startResync } from './start';
import { parseWatchArgs, watchResync } from './watch';

export const USAGE = `Usage: npm run resync -- <command> [options]

  send  --application <urn> (--all | --ids a,b,c) [--url <webhook>] [--retries 5]
        POSTs a Job Resync Notification signed like LinkedIn; any answer but 200 is retried like
        LinkedIn would (growing delay, bounded attempts). --url: http://localhost:3000/webhooks/linkedin
        Signs with LINKEDIN_WEBHOOK_SECRET (or the file LINKEDIN_WEBHOOK_SECRET_FILE names), else the
        secret piped on stdin; never --secret (argv is visible to every user of the machine)
  start --application <urn> (--all | --ids a,b,c)
        starts a resync directly on Temporal; prints its workflow id and Web UI link
  watch <workflowId>
        a progress bar until the resync closes, then its outcome and totals
  list  [--application <urn>] [--outcome SUCCEEDED|PARTIAL|DEADLINE_EXCEEDED] [--limit 50]
        recent resyncs, newest first
  drift <developerApplicationUrn>
        runs a drift check of the application now (LinkedIn's job statuses against the ATS, drifted
        jobs repaired by a resync); shows its progress, exits 0 once it completed
  applications add --application <urn> --client-id <id> [--company <name>]
                   [--organization urn:li:organization:<id>] [--client-secret-file <path>]
        adds a customer's child application (or replaces its credentials: secret rotation); the client
        secret is read from stdin or the file, never argv. --company is required for a new one
  applications list
        every application: urn, client id, company (never the secret)
  applications remove --application <urn>
        removes the application with its jobs and LinkedIn statuses from the job store

start, watch, list and drift reach Temporal as the temporal CLI does (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE with TEMPORAL_CONFIG_FILE or temporal.toml) and read
TASK_QUEUE, RESYNC_DEADLINE, TASK_FOLLOW_UP_WINDOW and TEMPORAL_UI_URL (http://localhost:8233);
applications reads DATABASE_URL (else the embedded store under DATA_DIR) and NODE_ENV.
`;

const WATCH_INTERVAL_MS = 1_000;

export interface CliDeps {
  env: Record<string, string | undefined>;
  out: Output;
  err: Output;
  fetch?: typeof fetch;
  /** A client to use instead of one built from the environment; it is left open. */
  client?: Client;
  sleep?: (ms: number) => Promise<void>;
  watchIntervalMs?: number;
  /** Where `send` and `applications add` read a secret piped to them (process.stdin). */
  stdin?: SecretInput;
}

/** Runs one command; resolves to the process exit code (0 done, 1 failed, 2 usage or configuration). */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'send': {
        const options = parseSendArgs(args);
        const secret = await sendSecret(deps.env, deps.stdin);
        return await sendNotification(
          { ...options, secret, workflowIdPrefix: deps.env.WORKFLOW_ID_PREFIX ?? '' },
          {
            fetch: deps.fetch ?? fetch,
            out: deps.out,
            sleep,
          },
        );
      }
      case 'applications':
        return await applicationsCommand(args, {
          env: deps.env,
          out: deps.out,
          ...(deps.stdin ? { stdin: deps.stdin } : {}),
        });
      case 'start': {
        const request = parseStartArgs(args);
        return await withTemporal(deps, (client, config) =>
          startResync(request, {
            client,
            out: deps.out,
            taskQueue: config.temporal.taskQueue,
            namespace: config.temporal.namespace,
            deadlineMs: config.resyncDeadlineMs,
            followUpWindowMs: config.followUpWindowMs,
            webUiUrl: config.webUiUrl,
            workflowIdPrefix: config.workflowIdPrefix,
            largeResyncJobs: config.largeResyncJobs,
          }),
        );
      }
      case 'watch': {
        const workflowId = parseWatchArgs(args);
        return await withTemporal(deps, (client) =>
          watchResync(workflowId, {
            client,
            out: deps.out,
            sleep,
            intervalMs: deps.watchIntervalMs ?? WATCH_INTERVAL_MS,
          }),
        );
      }
      case 'list': {
        const filter = parseListArgs(args);
        return await withTemporal(deps, (client) => listCommand(filter, { client, out: deps.out }));
      }
      case 'drift': {
        const urn = parseDriftArgs(args);
        return await withTemporal(deps, (client, config) =>
          driftNow(urn, {
            client,
            out: deps.out,
            sleep,
            intervalMs: deps.watchIntervalMs ?? WATCH_INTERVAL_MS,
            taskQueue: config.temporal.taskQueue,
            namespace: config.temporal.namespace,
            deadlineMs: config.resyncDeadlineMs,
            followUpWindowMs: config.followUpWindowMs,
            workflowIdPrefix: config.workflowIdPrefix,
            webUiUrl: config.webUiUrl,
            largeResyncJobs: config.largeResyncJobs,
          }),
        );
      }
      case 'help':
      case '--help':
      case '-h':
        deps.out.write(USAGE);
        return 0;
      default:
        throw new UsageError(
          command === undefined ? 'a command is required' : `unknown command ${echo(command)}`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      deps.err.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      deps.err.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function withTemporal(
  deps: CliDeps,
  use: (client: Client, config: CliConfig) => Promise<number>,
): Promise<number> {
  const config = loadCliConfig(deps.env);
  const client = deps.client ?? createTemporalClient(config.temporal);
  try {
    return await use(client, config);
  } finally {
    if (!deps.client) await client.connection.close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    env: process.env,
    out: process.stdout,
    err: process.stderr,
    stdin: process.stdin,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Typically Temporal out of reach: say what failed, without the gRPC stack.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      console.error(error instanceof Error ? `${error.message}${cause}` : error);
      process.exit(1);
    },
  );
}
