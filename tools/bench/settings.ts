/** The benchmark's fixed settings, shared by its parts. */
export const NAMESPACE = 'default';
export const DEADLINE_MS = 30 * 60_000;
export const FOLLOW_UP_WINDOW_MS = 10 * 60_000;
export const TASK_COMPLETION_MS = 200;
export const SAMPLE_EVERY_MS = 250;
/** The workflow fails by itself at the deadline; this only guards against a resync that never ends. */
export const RESULT_TIMEOUT_MS = DEADLINE_MS + 5 * 60_000;
export const CHILD_STEP_TIMEOUT_MS = 2 * 60_000;
export const RPC_TIMEOUT_MS = 60_000;
export const PROGRESS_EVERY_MS = 30_000;
export const MAX_RUNS = 10_000;
export const BENCH_APPLICATION_URN = 'urn:li:developerApplication:424242';
export const BENCH_WARM_UP_APPLICATION_URN = 'urn:li:developerApplication:424243';
/** The warm-up resync's jobs: a first batch alone and a run of two batches, as every resync sends. */
export const WARM_UP_JOBS = 250;
