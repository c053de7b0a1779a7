/**
 * The contract shared by the webhook, the workflow, the CLI and the tests: what LinkedIn sends, what a
 * resync takes and returns, how its workflows are named and found. Workflow code imports it, so nothing
 * here (or below) may use Node built-ins or do I/O.
 */
export * from './names';
export * from './urn';
export * from './notification';
export * from './resync';
export * from './workflow-ids';
