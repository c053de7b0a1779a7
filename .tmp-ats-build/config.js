"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ConfigError = void 0;
exports.loadConfig = loadConfig;
const zod_1 = require("zod");
const contract_1 = require("./contract");
const duration_1 = require("./duration");
const duration = (fallback) => zod_1.z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
    const ms = (0, duration_1.parseDuration)(text);
    if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 30m, 90s or 6s` });
        return zod_1.z.NEVER;
    }
    return ms;
});
const optionalText = zod_1.z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));
const secretList = zod_1.z
    .string({
    error: 'LINKEDIN_WEBHOOK_SECRETS is required: the client secrets that sign LinkedIn notifications',
})
    .transform((text) => text
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0))
    .refine((secrets) => secrets.length > 0, { error: 'LINKEDIN_WEBHOOK_SECRETS lists no secret' });
const ConfigSchema = zod_1.z.object({
    PORT: zod_1.z.coerce.number().int().min(0).max(65_535).default(3000),
    TEMPORAL_ADDRESS: zod_1.z.string().default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: zod_1.z.string().default('default'),
    TEMPORAL_API_KEY: optionalText,
    TASK_QUEUE: zod_1.z.string().min(1).default(contract_1.DEFAULT_TASK_QUEUE),
    LINKEDIN_WEBHOOK_SECRETS: secretList,
    LINKEDIN_API_URL: zod_1.z.url().default('https://api.linkedin.com'),
    LINKEDIN_TOKEN_URL: zod_1.z.url().default('https://www.linkedin.com/oauth/v2/accessToken'),
    RESYNC_DEADLINE: duration('30m'),
    DATABASE_URL: optionalText,
    DATA_DIR: zod_1.z.string().default('.data'),
    LOG_LEVEL: zod_1.z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});
class ConfigError extends Error {
    name = 'ConfigError';
}
exports.ConfigError = ConfigError;
/** Parses the environment once, at the composition root; fails with every problem named. */
function loadConfig(env) {
    const parsed = ConfigSchema.safeParse(env);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
        throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
    }
    const c = parsed.data;
    return {
        port: c.PORT,
        temporal: {
            address: c.TEMPORAL_ADDRESS,
            namespace: c.TEMPORAL_NAMESPACE,
            apiKey: c.TEMPORAL_API_KEY,
            taskQueue: c.TASK_QUEUE,
        },
        webhookSecrets: c.LINKEDIN_WEBHOOK_SECRETS,
        linkedin: { apiUrl: c.LINKEDIN_API_URL.replace(/\/+$/, ''), tokenUrl: c.LINKEDIN_TOKEN_URL },
        resyncDeadlineMs: c.RESYNC_DEADLINE,
        databaseUrl: c.DATABASE_URL,
        dataDir: c.DATA_DIR,
        logLevel: c.LOG_LEVEL,
    };
}
//# sourceMappingURL=config.js.map