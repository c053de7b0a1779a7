/** `npm run build` ends here: a prebuilt workflow bundle, so production workers start without webpack. */
import { join } from 'node:path';
import { buildWorkflowBundle } from './workflow-bundle';

const outFile = join(__dirname, 'workflows.bundle.js');
buildWorkflowBundle(outFile).then(
  () => console.log(`workflow bundle written to ${outFile}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
