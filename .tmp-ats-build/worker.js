"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LINKEDIN_REQUEST_TIMEOUT_MS = void 0;
exports.createResyncWorker = createResyncWorker;
exports.linkedInDeps = linkedInDeps;
const worker_1 = require("@temporalio/worker");
const activities_1 = require("./activities");
const open_job_store_1 = require("./ats/open-job-store");
const config_1 = require("./config");
const client_1 = require("./linkedin/client");
const token_cache_1 = require("./linkedin/token-cache");
const logger_1 = require("./logger");
/** The worker that runs `resyncJobs` and its activities. */
async function createResyncWorker(options) {
    return worker_1.Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: options.taskQueue,
        ...(options.workflowBundle
            ? { workflowBundle: options.workflowBundle }
            : { workflowsPath: require.resolve('./workflows') }),
        activities: (0, activities_1.createActivities)(options.deps),
    });
}
/** HTTP exchanges with LinkedIn; a hung connection must not hold a batch for long. */
exports.LINKEDIN_REQUEST_TIMEOUT_MS = 30_000;
function linkedInDeps(config) {
    const linkedin = new client_1.LinkedInClient({ ...config, requestTimeoutMs: exports.LINKEDIN_REQUEST_TIMEOUT_MS });
    return { linkedin, tokens: new token_cache_1.TokenCache({ client: linkedin }) };
}
async function main() {
    const config = (0, config_1.loadConfig)(process.env);
    const logger = (0, logger_1.createLogger)(config.logLevel).child({ component: 'worker' });
    const jobStore = await (0, open_job_store_1.openJobStore)(config);
    const connection = await worker_1.NativeConnection.connect({ address: config.temporal.address });
    try {
        const worker = await createResyncWorker({
            connection,
            namespace: config.temporal.namespace,
            taskQueue: config.temporal.taskQueue,
            deps: { jobStore, ...linkedInDeps(config.linkedin) },
        });
        logger.info({ taskQueue: config.temporal.taskQueue }, 'worker started');
        await worker.run();
    }
    finally {
        await connection.close();
        await jobStore.close();
    }
}
if (require.main === module) {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
//# sourceMappingURL=worker.js.map