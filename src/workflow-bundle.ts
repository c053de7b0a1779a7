import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

/** What the workflow bundle is made of, the same for a worker bundling at start and for a prebuilt one. */
export const WORKFLOWS_PATH = require.resolve('./workflows');
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('./workflows/interceptors'),
  // OpenTelemetry spans for the runs started with a trace; every other run goes straight through.
  require.resolve('./workflows/tracing-interceptors'),
];

/** Webpack's progress is noise; its warnings and errors are not. */
const QUIET_BUNDLER_LOGGER: NonNullable<BundleOptions['logger']> = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/** Builds the workflow bundle once (for production workers and the test run) and writes it to `outFile`. */
export async function buildWorkflowBundle(outFile: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: QUIET_BUNDLER_LOGGER,
  });
  await writeFile(outFile, code);
}
