"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_NOTIFICATION_BYTES = void 0;
exports.createApp = createApp;
const koa_1 = __importDefault(require("koa"));
const router_1 = __importDefault(require("@koa/router"));
const contract_1 = require("../contract");
const http_error_1 = require("./http-error");
const raw_body_1 = require("./raw-body");
const signature_1 = require("./signature");
/** Notifications are a few hundred bytes; a full list of 75-character ids stays far below this. */
exports.MAX_NOTIFICATION_BYTES = 1024 * 1024;
/** Builds the API; it never listens itself (entry points and tests use `app.callback()`). */
function createApp(deps) {
    const now = deps.now ?? Date.now;
    const app = new koa_1.default();
    const router = new router_1.default();
    app.use(async (ctx, next) => {
        try {
            await next();
            if (ctx.status === 404 && ctx.body === undefined) {
                throw new http_error_1.HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
            }
        }
        catch (error) {
            if (error instanceof http_error_1.HttpError) {
                ctx.status = error.status;
                ctx.body = { errorMessage: error.errorMessage };
                if (error.status >= 500)
                    deps.logger.error({ err: error, path: ctx.path }, 'request failed');
                else
                    deps.logger.info({ status: error.status, path: ctx.path, reason: error.errorMessage }, 'request refused');
                return;
            }
            // A failure of ours: LinkedIn retries on 500. Internal details stay in the log.
            deps.logger.error({ err: error, path: ctx.path }, 'request failed');
            ctx.status = 500;
            ctx.body = '';
        }
    });
    router.get('/healthz', (ctx) => {
        ctx.body = { status: 'ok' };
    });
    router.get('/readyz', async (ctx) => {
        const ready = await deps.resyncs.ready();
        ctx.status = ready ? 200 : 503;
        ctx.body = { status: ready ? 'ready' : 'temporal unreachable' };
    });
    // LinkedIn's ownership check (linkedin.md §2): HMAC of the challenge code with the right client secret.
    router.get('/webhooks/linkedin', async (ctx) => {
        const challengeCode = single(ctx.query.challengeCode);
        if (!challengeCode)
            throw new http_error_1.HttpError(400, 'challengeCode is required');
        const applicationId = single(ctx.query.applicationId);
        let secret = deps.webhookSecrets[0];
        if (applicationId !== undefined) {
            const application = /^\d+$/.test(applicationId)
                ? await deps.jobStore.getApplication(`urn:li:developerApplication:${applicationId}`)
                : undefined;
            if (!application)
                throw new http_error_1.HttpError(400, `applicationId ${applicationId} is not an application this ATS knows`);
            secret = application.clientSecret;
        }
        if (!secret)
            throw new Error('no webhook secret configured');
        ctx.type = 'application/json';
        ctx.body = { challengeCode, challengeResponse: (0, signature_1.challengeResponse)(secret, challengeCode) };
    });
    router.post('/webhooks/linkedin', async (ctx) => {
        const receivedAt = now();
        const rawBody = await (0, raw_body_1.readRawBody)(ctx.req, exports.MAX_NOTIFICATION_BYTES);
        const header = ctx.get('X-LI-Signature') || undefined;
        if (!header)
            throw new http_error_1.HttpError(401, 'X-LI-Signature header is missing');
        if (!(await signedByKnownSecret(header, rawBody))) {
            throw new http_error_1.HttpError(401, 'X-LI-Signature does not match the body for any configured client secret');
        }
        let json;
        try {
            json = JSON.parse(rawBody.toString('utf8'));
        }
        catch {
            throw new http_error_1.HttpError(400, 'the body is not valid JSON');
        }
        const parsed = contract_1.JobResyncNotification.safeParse(json);
        if (!parsed.success)
            throw new http_error_1.HttpError(400, (0, contract_1.describeNotificationError)(parsed.error));
        const notification = parsed.data;
        const application = await deps.jobStore.getApplication(notification.developerApplicationUrn);
        if (!application) {
            throw new http_error_1.HttpError(400, `developerApplicationUrn ${notification.developerApplicationUrn} is not an application this ATS knows`);
        }
        const started = await deps.resyncs.start(notification, receivedAt);
        deps.logger.info({ workflowId: started.workflowId, developerApplicationUrn: notification.developerApplicationUrn }, 'resync accepted');
        ctx.status = 200;
        ctx.body = '';
    });
    /**
     * Any configured webhook secret, or the child application's own secret: LinkedIn does not say which one
     * signs talent notifications.
     */
    async function signedByKnownSecret(header, rawBody) {
        if ((0, signature_1.verifySignature)(header, rawBody, deps.webhookSecrets))
            return true;
        const urn = namedApplication(rawBody);
        const application = urn ? await deps.jobStore.getApplication(urn) : undefined;
        return application !== undefined && (0, signature_1.verifySignature)(header, rawBody, [application.clientSecret]);
    }
    app.use(router.routes());
    app.use(router.allowedMethods());
    return app;
}
function single(value) {
    return Array.isArray(value) ? value[0] : value;
}
function namedApplication(rawBody) {
    try {
        const body = JSON.parse(rawBody.toString('utf8'));
        if (typeof body !== 'object' || body === null)
            return undefined;
        const urn = body.developerApplicationUrn;
        return typeof urn === 'string' && /^urn:li:developerApplication:\d+$/.test(urn) ? urn : undefined;
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=app.js.map