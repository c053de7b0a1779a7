/**
 * The LinkedIn sandbox as a service of its own (`npm run sandbox`, the `sandbox` service of
 * docker-compose.yml): the demo applications registered, most of their jobs already held on LinkedIn's side.
 */
import { z } from 'zod';
import { parseDuration } from '../../src/duration';
import { createLogger } from '../../src/logger';
import { startDemoSandbox } from './demo-sandbox';

export interface SandboxServiceOptions {
  port: number;
  host: string;
  taskCompletionMs: number;
}

const SandboxEnv = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_TASK_COMPLETION: z
    .string()
    .default('2s')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 2s or 500ms` });
        return z.NEVER;
      }
      return ms;
    }),
});

function parseSandboxEnv(env: Record<string, string | undefined>): SandboxServiceOptions {
  const parsed = SandboxEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid sandbox configuration:\n  ${problems.join('\n  ')}`);
  }
  return {
    port: parsed.data.SANDBOX_PORT,
    host: parsed.data.SANDBOX_HOST,
    taskCompletionMs: parsed.data.SANDBOX_TASK_COMPLETION,
  };
}

async function main(): Promise<void> {
  const options = parseSandboxEnv(process.env);
  const logger = createLogger('info').child({ component: 'sandbox' });
  const sandbox = await startDemoSandbox(options);
  logger.info({ url: sandbox.url, taskCompletionMs: options.taskCompletionMs }, 'LinkedIn sandbox listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      sandbox.close().then(
        () => logger.info({ signal }, 'LinkedIn sandbox closed'),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
