import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Search attributes of a resync (Keyword). Kept apart from `contract.ts` because workflow code imports
 * them and must not pull Node built-ins into its bundle.
 */
export const DEVELOPER_APPLICATION_URN = defineSearchAttributeKey('DeveloperApplicationUrn', 'KEYWORD');
export const RESYNC_OUTCOME = defineSearchAttributeKey('ResyncOutcome', 'KEYWORD');

export const SEARCH_ATTRIBUTE_NAMES = [DEVELOPER_APPLICATION_URN.name, RESYNC_OUTCOME.name] as const;

export type ResyncOutcome = 'SUCCEEDED' | 'PARTIAL' | 'DEADLINE_EXCEEDED';
