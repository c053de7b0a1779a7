"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinkedInClient = exports.MAX_TASK_QUERY_BYTES = void 0;
exports.taskQuery = taskQuery;
exports.taskQueryChunks = taskQueryChunks;
exports.retryAfterMs = retryAfterMs;
const linkedin_api_error_1 = require("./linkedin-api-error");
const linkedin_contract_error_1 = require("./linkedin-contract-error");
const linkedin_unreachable_error_1 = require("./linkedin-unreachable-error");
const schemas_1 = require("./schemas");
/** LinkedIn's query-string limit for simpleJobPostingTasks (linkedin.md §6). */
exports.MAX_TASK_QUERY_BYTES = 4096;
/**
 * A thin client for the three LinkedIn calls the resync makes. It never retries: Temporal's retry policy
 * is the one retry layer. Every answer is checked against LinkedIn's documented shape.
 */
class LinkedInClient {
    options;
    fetch;
    constructor(options) {
        this.options = options;
        this.fetch = options.fetch ?? globalThis.fetch;
    }
    async fetchToken(clientId, clientSecret, signal) {
        const sentAt = Date.now();
        const body = new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: clientId,
            client_secret: clientSecret,
        });
        const response = await this.send(this.options.tokenUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: body.toString(),
        }, signal);
        const token = parse(schemas_1.TokenResponse, await readJson(response), 'accessToken');
        return { accessToken: token.access_token, expiresAt: sentAt + token.expires_in * 1000 };
    }
    /** One `batch_create` call; one result per element, in order. */
    async postJobs(accessToken, elements, signal) {
        const response = await this.send(`${this.options.apiUrl}/v2/simpleJobPostings`, {
            method: 'POST',
            headers: {
                Authorization: `Bearer ${accessToken}`,
                'X-Restli-Method': 'batch_create',
                'Content-Type': 'application/json',
            },
            body: JSON.stringify({ elements }),
        }, signal);
        const parsed = parse(schemas_1.BatchCreateResponse, await readJson(response), 'simpleJobPostings');
        if (parsed.elements.length !== elements.length) {
            throw new linkedin_contract_error_1.LinkedInContractError(`simpleJobPostings answered ${parsed.elements.length} results for ${elements.length} elements`);
        }
        return parsed.elements.map((element) => 'id' in element
            ? { ok: true, taskUrn: element.id }
            : {
                ok: false,
                status: element.status,
                message: element.error?.message ?? `element status ${element.status}`,
            });
    }
    /** Status of tasks; the caller keeps the query within MAX_TASK_QUERY_BYTES (see `taskQueryChunks`). */
    async getTasks(accessToken, taskUrns, signal) {
        const response = await this.send(`${this.options.apiUrl}/v2/simpleJobPostingTasks?${taskQuery(taskUrns)}`, {
            method: 'GET',
            headers: { Authorization: `Bearer ${accessToken}` },
        }, signal);
        const parsed = parse(schemas_1.TaskStatusResponse, await readJson(response), 'simpleJobPostingTasks');
        const states = new Map();
        for (const [urn, task] of Object.entries(parsed.results)) {
            states.set(urn, {
                status: task.status,
                externalJobPostingId: task.externalJobPostingId,
                jobPosting: task.jobPosting,
                errorMessage: task.errorMessage,
            });
        }
        return states;
    }
    async send(url, init, signal) {
        const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
        let response;
        try {
            response = await this.fetch(url, {
                ...init,
                signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
            });
        }
        catch (error) {
            // Our caller's cancellation is not LinkedIn's fault: let it through as it is.
            if (signal?.aborted)
                throw error;
            const reason = timeout.aborted
                ? `no answer within ${this.options.requestTimeoutMs} ms`
                : describe(error);
            throw new linkedin_unreachable_error_1.LinkedInUnreachableError(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${reason}`);
        }
        if (response.ok)
            return response;
        throw await apiError(response);
    }
}
exports.LinkedInClient = LinkedInClient;
function taskQuery(taskUrns) {
    return taskUrns.map((urn) => `ids=${encodeURIComponent(urn)}`).join('&');
}
/** Splits task urns into groups whose query string stays within LinkedIn's 4 KB. */
function taskQueryChunks(taskUrns, maxBytes = exports.MAX_TASK_QUERY_BYTES) {
    const chunks = [];
    let current = [];
    let size = 0;
    for (const urn of taskUrns) {
        const part = `ids=${encodeURIComponent(urn)}`.length;
        if (current.length > 0 && size + 1 + part > maxBytes) {
            chunks.push(current);
            current = [];
            size = 0;
        }
        size += current.length === 0 ? part : part + 1;
        current.push(urn);
    }
    if (current.length > 0)
        chunks.push(current);
    return chunks;
}
async function apiError(response) {
    const text = await response.text().catch(() => '');
    let message = `HTTP ${response.status}`;
    let serviceErrorCode;
    try {
        const body = schemas_1.ErrorBody.safeParse(JSON.parse(text));
        if (body.success) {
            message = body.data.message ?? message;
            serviceErrorCode = body.data.serviceErrorCode;
        }
    }
    catch {
        // Not JSON (a proxy's page, say): the status alone decides.
    }
    return new linkedin_api_error_1.LinkedInApiError(response.status, message, serviceErrorCode, retryAfterMs(response.headers.get('retry-after')));
}
/** Retry-After is seconds or an HTTP date. */
function retryAfterMs(header, now = Date.now()) {
    if (!header)
        return undefined;
    if (/^\d+$/.test(header.trim()))
        return Number(header.trim()) * 1000;
    const at = Date.parse(header);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
async function readJson(response) {
    const text = await response.text();
    try {
        return JSON.parse(text);
    }
    catch {
        throw new linkedin_contract_error_1.LinkedInContractError(`${new URL(response.url || 'http://x/').pathname} answered ${response.status} with a body that is not JSON`);
    }
}
function parse(schema, value, what) {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new linkedin_contract_error_1.LinkedInContractError(`${what} answered outside its documented shape: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim());
    }
    return parsed.data;
}
function describe(error) {
    if (error instanceof Error) {
        const cause = error.cause;
        return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
    }
    return String(error);
}
//# sourceMappingURL=client.js.map