"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SEARCH_ATTRIBUTE_NAMES = exports.RESYNC_OUTCOME = exports.DEVELOPER_APPLICATION_URN = void 0;
const common_1 = require("@temporalio/common");
/**
 * Search attributes of a resync (Keyword). Kept apart from `contract.ts` because workflow code imports
 * them and must not pull Node built-ins into its bundle.
 */
exports.DEVELOPER_APPLICATION_URN = (0, common_1.defineSearchAttributeKey)('DeveloperApplicationUrn', 'KEYWORD');
exports.RESYNC_OUTCOME = (0, common_1.defineSearchAttributeKey)('ResyncOutcome', 'KEYWORD');
exports.SEARCH_ATTRIBUTE_NAMES = [exports.DEVELOPER_APPLICATION_URN.name, exports.RESYNC_OUTCOME.name];
//# sourceMappingURL=search-attributes.js.map