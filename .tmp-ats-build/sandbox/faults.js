"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Faults = exports.AdminFaultRequest = exports.TaskOutcome = exports.FaultSpec = exports.FaultEndpoint = void 0;
exports.applyAdminFaultRequest = applyAdminFaultRequest;
const zod_1 = require("zod");
/** The endpoints a fault can target. */
exports.FaultEndpoint = zod_1.z.enum(['token', 'simpleJobPostings', 'simpleJobPostingTasks']);
/**
 * One scripted misbehaviour for the next `times` calls of an endpoint. It delays by `latencyMs`, then:
 * `hang` never answers; `malformed` answers 200 with a body that breaks the documented shape; `status`,
 * `body`, `serviceErrorCode` or `retryAfterSeconds` answer with that instead of the real handler (status
 * defaults to 200 with a `body`, 429 with `retryAfterSeconds`, else 500). With none of these, the call is
 * only delayed and then handled normally.
 */
exports.FaultSpec = zod_1.z.object({
    endpoint: exports.FaultEndpoint,
    times: zod_1.z.number().int().positive().optional(),
    status: zod_1.z.number().int().min(200).max(599).optional(),
    retryAfterSeconds: zod_1.z.number().int().nonnegative().optional(),
    serviceErrorCode: zod_1.z.number().int().optional(),
    body: zod_1.z.unknown().optional(),
    latencyMs: zod_1.z.number().nonnegative().optional(),
    hang: zod_1.z.boolean().optional(),
    malformed: zod_1.z.boolean().optional(),
});
exports.TaskOutcome = zod_1.z.enum(['FAILED', 'STUCK', 'PROCESSED']);
/** What `POST /_sandbox/faults` accepts: an enqueue argument or one of the other knobs by name. */
exports.AdminFaultRequest = zod_1.z.union([
    zod_1.z.object({ clear: zod_1.z.literal(true) }),
    zod_1.z.object({ expireAllTokens: zod_1.z.literal(true) }),
    zod_1.z.object({ setLatency: zod_1.z.object({ endpoint: exports.FaultEndpoint, ms: zod_1.z.number().nonnegative() }) }),
    zod_1.z.object({
        rejectElement: zod_1.z.object({
            externalJobPostingId: zod_1.z.string(),
            status: zod_1.z.number().int().min(400).max(599).optional(),
            message: zod_1.z.string(),
        }),
    }),
    zod_1.z.object({
        taskOutcome: zod_1.z.object({
            externalJobPostingId: zod_1.z.string(),
            outcome: exports.TaskOutcome,
            message: zod_1.z.string().optional(),
        }),
    }),
    exports.FaultSpec,
]);
function applyAdminFaultRequest(knobs, request) {
    if ('clear' in request)
        knobs.clear();
    else if ('expireAllTokens' in request)
        knobs.expireAllTokens();
    else if ('setLatency' in request)
        knobs.setLatency(request.setLatency.endpoint, request.setLatency.ms);
    else if ('rejectElement' in request) {
        const { externalJobPostingId, status, message } = request.rejectElement;
        knobs.rejectElement(externalJobPostingId, status === undefined ? { message } : { status, message });
    }
    else if ('taskOutcome' in request) {
        const { externalJobPostingId, outcome, message } = request.taskOutcome;
        knobs.taskOutcome(externalJobPostingId, outcome, message);
    }
    else
        knobs.enqueue(request);
}
class Faults {
    expireTokens;
    queue = [];
    latency = new Map();
    rejections = new Map();
    outcomes = new Map();
    constructor(expireTokens) {
        this.expireTokens = expireTokens;
    }
    enqueue(fault) {
        const parsed = exports.FaultSpec.parse(fault);
        this.queue.push({ fault: parsed, remaining: parsed.times ?? 1 });
    }
    setLatency(endpoint, ms) {
        this.latency.set(exports.FaultEndpoint.parse(endpoint), zod_1.z.number().nonnegative().parse(ms));
    }
    rejectElement(externalJobPostingId, rejection) {
        this.rejections.set(externalJobPostingId, {
            status: rejection.status ?? 422,
            message: rejection.message,
        });
    }
    taskOutcome(externalJobPostingId, outcome, message) {
        this.outcomes.set(externalJobPostingId, { outcome: exports.TaskOutcome.parse(outcome), message });
    }
    expireAllTokens() {
        this.expireTokens();
    }
    clear() {
        this.queue = [];
        this.latency.clear();
        this.rejections.clear();
        this.outcomes.clear();
    }
    /** Consumes one use of the oldest queued fault for the endpoint. */
    take(endpoint) {
        const entry = this.queue.find((candidate) => candidate.fault.endpoint === endpoint);
        if (entry === undefined)
            return undefined;
        entry.remaining -= 1;
        if (entry.remaining <= 0)
            this.queue = this.queue.filter((candidate) => candidate !== entry);
        return entry.fault;
    }
    latencyFor(endpoint) {
        return this.latency.get(endpoint) ?? 0;
    }
    rejectionFor(externalJobPostingId) {
        return this.rejections.get(externalJobPostingId);
    }
    outcomeFor(externalJobPostingId) {
        return this.outcomes.get(externalJobPostingId);
    }
}
exports.Faults = Faults;
//# sourceMappingURL=faults.js.map