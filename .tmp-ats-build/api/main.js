"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.START_TIMEOUT_MS = void 0;
exports.startApiServer = startApiServer;
const open_job_store_1 = require("../ats/open-job-store");
const config_1 = require("../config");
const logger_1 = require("../logger");
const temporal_client_1 = require("../temporal-client");
const app_1 = require("./app");
const resync_starter_1 = require("./resync-starter");
/** Answer within LinkedIn's patience: past this the webhook says 500 and LinkedIn delivers again. */
exports.START_TIMEOUT_MS = 4_000;
async function startApiServer(deps) {
    const app = (0, app_1.createApp)({
        webhookSecrets: deps.config.webhookSecrets,
        jobStore: deps.jobStore,
        logger: deps.logger,
        resyncs: (0, resync_starter_1.createResyncStarter)(deps.client, {
            taskQueue: deps.config.temporal.taskQueue,
            deadlineMs: deps.config.resyncDeadlineMs,
            startTimeoutMs: exports.START_TIMEOUT_MS,
        }),
    });
    const server = app.listen(deps.config.port);
    await new Promise((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
    });
    return server;
}
async function main() {
    const config = (0, config_1.loadConfig)(process.env);
    const logger = (0, logger_1.createLogger)(config.logLevel).child({ component: 'api' });
    const jobStore = await (0, open_job_store_1.openJobStore)(config);
    const client = (0, temporal_client_1.createTemporalClient)(config.temporal);
    await startApiServer({ config, client, jobStore, logger });
    logger.info({ port: config.port }, 'api listening');
}
if (require.main === module) {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
//# sourceMappingURL=main.js.map