import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

/** What the workflow bundle is made of, the same for a worker bundling at start and for a prebuilt one. */
export const WORKFLOWS_PATH = require.resolve('./workflows');
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./workflows/interceptors')];

/** Builds the workflow bundle once (for production workers and the test run) and writes it to `outFile`. */
export async function buildWorkflowBundle(outFile: string, logger?: BundleOptions['logger']): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    ...(logger ? { logger } : {}),
  });
  await writeFile(outFile, code);
}
