"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TaskStatusResponse = exports.TaskStatus = exports.BatchCreateResponse = exports.ErrorBody = exports.TokenResponse = void 0;
const zod_1 = require("zod");
/** What LinkedIn answers, checked before it is believed (linkedin.md §4–6). */
exports.TokenResponse = zod_1.z.object({
    access_token: zod_1.z.string().min(1),
    expires_in: zod_1.z.number().positive(),
});
exports.ErrorBody = zod_1.z.object({
    message: zod_1.z.string().optional(),
    serviceErrorCode: zod_1.z.number().optional(),
    status: zod_1.z.number().optional(),
});
const AcceptedElement = zod_1.z.object({
    id: zod_1.z.string().startsWith('urn:li:simpleJobPostingTask:'),
    status: zod_1.z.number().int().min(200).max(299),
    location: zod_1.z.string().optional(),
});
const RejectedElement = zod_1.z.object({
    status: zod_1.z.number().int().min(300),
    error: zod_1.z.object({ message: zod_1.z.string().optional(), status: zod_1.z.number().optional() }).optional(),
});
exports.BatchCreateResponse = zod_1.z.object({
    elements: zod_1.z.array(zod_1.z.union([AcceptedElement, RejectedElement])),
});
exports.TaskStatus = zod_1.z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'PROCESSED']);
exports.TaskStatusResponse = zod_1.z.object({
    results: zod_1.z.record(zod_1.z.string(), zod_1.z.object({
        id: zod_1.z.string().optional(),
        status: exports.TaskStatus,
        externalJobPostingId: zod_1.z.string().optional(),
        jobPosting: zod_1.z.string().optional(),
        errorMessage: zod_1.z.string().optional(),
    })),
    errors: zod_1.z.record(zod_1.z.string(), zod_1.z.unknown()).optional(),
});
//# sourceMappingURL=schemas.js.map