/**
 * `applications add|list|remove`: a customer's LinkedIn child application in the job store, where the API
 * reads its client secret (signatures, challenges) and the worker its credentials (tokens) and the list of
 * applications it keeps drift schedules for. The client secret comes from stdin or a file, never argv.
 */
import type { JobStore } from '../ats/job-store';
import { openJobStore } from '../ats/open-job-store';
import { loadSeedConfig } from '../config';
import { driftScheduleId } from '../contract/drift';
import { isDeveloperApplicationUrn } from '../contract/urn';
import { echo } from '../echo';
import { childSecretProblem } from '../secret-rules';
import { parse, UsageError, type Output } from './args';
import { refuseSecretInArgv, secretFromFile, secretFromStdin, type SecretInput } from './secret-input';

/** How soon the worker creates a new application's drift schedule (src/worker.ts syncs every 5 min). */
const SCHEDULE_SYNC = '5 minutes';
/** How soon the API uses a new or changed client secret (src/api/application-secrets.ts: 30 s snapshot). */
const SECRET_REFRESH = '30 s';

const CLIENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const ORGANIZATION = /^urn:li:organization:\d{1,20}$/;

export interface ApplicationsDeps {
  env: Record<string, string | undefined>;
  out: Output;
  stdin?: SecretInput;
}

const HOW_TO = `pipe it (printf '%s' "$CLIENT_SECRET" | npm run resync -- applications add …) or give --client-secret-file <path>`;

function urnOf(value: string | undefined): string {
  if (value === undefined) throw new UsageError('--application <urn> is required');
  if (!isDeveloperApplicationUrn(value)) {
    throw new UsageError(
      `--application ${echo(value)} must look like urn:li:developerApplication:{numeric id}`,
    );
  }
  return value;
}

export async function applicationsCommand(args: readonly string[], deps: ApplicationsDeps): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return addApplication(rest, deps);
    case 'list':
      parse(rest, {});
      return withStore(deps, (store) => listApplications(store, deps.out));
    case 'remove': {
      const { values } = parse(rest, { application: { type: 'string' } });
      const urn = urnOf(values.application);
      return withStore(deps, async (store) => {
        if ((await store.getApplication(urn)) === undefined) {
          deps.out.write(`no application ${urn} in the job store\n`);
          return 1;
        }
        await store.removeApplication(urn);
        deps.out.write(
          `removed ${urn}, with its jobs and LinkedIn statuses in the job store. The worker deletes its drift schedule ${driftScheduleId(urn, deps.env.WORKFLOW_ID_PREFIX ?? '')} within ${SCHEDULE_SYNC}; the API stops accepting its notifications within ${SECRET_REFRESH}.\n`,
        );
        return 0;
      });
    }
    default:
      throw new UsageError(
        sub === undefined
          ? 'applications needs add, list or remove'
          : `unknown applications command ${echo(sub)}`,
      );
  }
}

async function addApplication(args: readonly string[], deps: ApplicationsDeps): Promise<number> {
  refuseSecretInArgv(args, '--client-secret', `Instead ${HOW_TO}.`);
  const { values } = parse(args, {
    application: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret-file': { type: 'string' },
    company: { type: 'string' },
    organization: { type: 'string' },
  });
  const urn = urnOf(values.application);
  const clientId = values['client-id'];
  if (clientId === undefined) throw new UsageError('--client-id <id> is required');
  if (!CLIENT_ID.test(clientId)) {
    throw new UsageError(
      `--client-id ${echo(clientId)} is not a LinkedIn client id (letters, digits, . _ -)`,
    );
  }
  if (values.organization !== undefined && !ORGANIZATION.test(values.organization)) {
    throw new UsageError(
      `--organization ${echo(values.organization)} must look like urn:li:organization:{id}`,
    );
  }
  if (values.company !== undefined && values.company.trim() === '')
    throw new UsageError('--company is empty');
  const file = values['client-secret-file'];
  const secret =
    file === undefined
      ? await secretFromStdin(deps.stdin, HOW_TO)
      : await secretFromFile(file, '--client-secret-file');
  const config = loadSeedConfig(deps.env);
  // The rule the API applies when it reads the secret: one it would never use is refused now.
  const problem = childSecretProblem(secret, config.development);
  if (problem !== undefined) {
    throw new UsageError(`the client secret ${problem}: give the one LinkedIn issued for ${urn}`);
  }
  return withStore(deps, async (store) => {
    const existing = await store.getApplication(urn);
    const companyName = values.company?.trim() ?? existing?.companyName;
    if (companyName === undefined) {
      throw new UsageError(
        `--company <name> is required for a new application (LinkedIn shows it on the jobs)`,
      );
    }
    await store.ensureApplication({
      urn,
      clientId,
      clientSecret: secret,
      companyName,
      integrationContext: values.organization ?? existing?.integrationContext ?? null,
    });
    const schedule = driftScheduleId(urn, deps.env.WORKFLOW_ID_PREFIX ?? '');
    deps.out.write(
      existing === undefined
        ? `added ${urn} (client id ${clientId}, company ${companyName}). The API accepts its notifications within ${SECRET_REFRESH}; the worker creates its drift schedule ${schedule} within ${SCHEDULE_SYNC}.\n`
        : `updated ${urn} (client id ${clientId}, company ${companyName}): the new client secret is used within ${SECRET_REFRESH}.\n`,
    );
    return 0;
  });
}

async function listApplications(store: JobStore, out: Output): Promise<number> {
  const rows: string[][] = [['APPLICATION', 'CLIENT ID', 'COMPANY', 'ORGANIZATION']];
  for (const urn of await store.jobStatuses.listApplicationUrns()) {
    const app = await store.getApplication(urn);
    // Never the secret: whoever reads the terminal or a log of it would hold it.
    if (app) rows.push([app.urn, app.clientId, app.companyName, app.integrationContext ?? '-']);
  }
  if (rows.length === 1) {
    out.write('no applications in the job store\n');
    return 0;
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) {
    out.write(
      `${row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ')}\n`,
    );
  }
  return 0;
}

async function withStore(deps: ApplicationsDeps, use: (store: JobStore) => Promise<number>): Promise<number> {
  const store = await openJobStore(loadSeedConfig(deps.env));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
