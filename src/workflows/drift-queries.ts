import { defineQuery } from '@temporalio/workflow';
import type { DriftCheckProgress } from '../drift-contract';

/** How far a drift check is: the CLI and the Web UI's Queries tab ask it. */
export const driftProgressQuery = defineQuery<DriftCheckProgress>('driftProgress');
