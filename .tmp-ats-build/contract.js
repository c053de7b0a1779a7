"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.JobResyncNotification = exports.MAX_EXTERNAL_ID_LENGTH = exports.MAX_JOBS_PER_CALL = exports.WORKFLOW_TYPE = exports.DEFAULT_TASK_QUEUE = exports.RESYNC_OUTCOME = exports.DEVELOPER_APPLICATION_URN = void 0;
exports.describeNotificationError = describeNotificationError;
exports.applicationIdOf = applicationIdOf;
exports.canonicalRequest = canonicalRequest;
exports.workflowIdFor = workflowIdFor;
exports.summaryOf = summaryOf;
/**
 * The contract shared by the webhook, the workflow and the tests: what LinkedIn sends, what a resync
 * takes and returns, and how a notification names its workflow.
 */
const node_crypto_1 = require("node:crypto");
const zod_1 = require("zod");
var search_attributes_1 = require("./search-attributes");
Object.defineProperty(exports, "DEVELOPER_APPLICATION_URN", { enumerable: true, get: function () { return search_attributes_1.DEVELOPER_APPLICATION_URN; } });
Object.defineProperty(exports, "RESYNC_OUTCOME", { enumerable: true, get: function () { return search_attributes_1.RESYNC_OUTCOME; } });
exports.DEFAULT_TASK_QUEUE = 'linkedin-job-resync';
exports.WORKFLOW_TYPE = 'resyncJobs';
/** LinkedIn's limit on one simpleJobPostings call. */
exports.MAX_JOBS_PER_CALL = 100;
exports.MAX_EXTERNAL_ID_LENGTH = 75;
const DEVELOPER_APPLICATION_URN_PATTERN = /^urn:li:developerApplication:(\d+)$/;
const requiredString = (field) => zod_1.z.string({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
});
const requiredBoolean = (field) => zod_1.z.boolean({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a boolean`),
});
/** LinkedIn's Job Resync Notification (linkedin.md §1). Unknown extra fields are tolerated. */
exports.JobResyncNotification = zod_1.z
    .object({
    developerApplicationUrn: requiredString('developerApplicationUrn').regex(DEVELOPER_APPLICATION_URN_PATTERN, {
        error: 'developerApplicationUrn must look like urn:li:developerApplication:{numeric id}',
    }),
    type: requiredString('type').refine((type) => type === 'RESYNC_JOBS', {
        error: (issue) => `type ${JSON.stringify(issue.input)} is not supported; only RESYNC_JOBS is handled here`,
    }),
    syncAllOpenJobs: requiredBoolean('syncAllOpenJobs'),
    externalJobPostingIds: zod_1.z
        .array(zod_1.z
        .string({ error: 'must be a string' })
        .min(1, { error: 'must not be empty' })
        .max(exports.MAX_EXTERNAL_ID_LENGTH, { error: `must be at most ${exports.MAX_EXTERNAL_ID_LENGTH} characters` }), { error: 'externalJobPostingIds must be an array of strings' })
        .optional(),
}, { error: 'the notification must be a JSON object' })
    .superRefine((notification, ctx) => {
    if (!notification.syncAllOpenJobs && (notification.externalJobPostingIds ?? []).length === 0) {
        ctx.addIssue({
            code: 'custom',
            path: ['externalJobPostingIds'],
            message: 'externalJobPostingIds must list at least one job when syncAllOpenJobs is false',
        });
    }
});
/** One readable sentence naming what is wrong, for LinkedIn's `errorMessage`. */
function describeNotificationError(error) {
    return error.issues
        .slice(0, 5)
        .map((issue) => {
        const [field, ...rest] = issue.path;
        // Messages of top-level fields already name the field; array elements get their index.
        if (field === 'externalJobPostingIds' && typeof rest[0] === 'number') {
            return `externalJobPostingIds[${rest[0]}] ${issue.message}`;
        }
        return issue.message;
    })
        .join('; ');
}
function applicationIdOf(developerApplicationUrn) {
    const match = DEVELOPER_APPLICATION_URN_PATTERN.exec(developerApplicationUrn);
    if (!match?.[1])
        throw new Error(`not a developer application urn: ${developerApplicationUrn}`);
    return match[1];
}
/** What a resync is asked to do, independent of how LinkedIn worded it: the digest is taken over this. */
function canonicalRequest(notification) {
    return {
        developerApplicationUrn: notification.developerApplicationUrn,
        syncAllOpenJobs: notification.syncAllOpenJobs,
        // With syncAllOpenJobs every open job goes anyway, so listed ids change nothing.
        externalJobPostingIds: notification.syncAllOpenJobs
            ? []
            : [...new Set(notification.externalJobPostingIds ?? [])].sort(),
    };
}
/**
 * The workflow id of a notification: readable (application, scope) and derived from the canonical
 * request, so a redelivery of the same notification maps to the same workflow.
 */
function workflowIdFor(notification) {
    const request = canonicalRequest(notification);
    const digest = (0, node_crypto_1.createHash)('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 16);
    const scope = request.syncAllOpenJobs ? 'all-open-jobs' : `${request.externalJobPostingIds.length}-jobs`;
    return `resync-app-${applicationIdOf(request.developerApplicationUrn)}-${scope}-${digest}`;
}
function summaryOf(request) {
    const what = request.syncAllOpenJobs
        ? 'all open jobs'
        : `${request.externalJobPostingIds.length} job${request.externalJobPostingIds.length === 1 ? '' : 's'}`;
    return `Resync ${what} for ${request.developerApplicationUrn}`;
}
//# sourceMappingURL=contract.js.map