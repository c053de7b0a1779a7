"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.openJobStore = openJobStore;
const node_path_1 = require("node:path");
const embedded_store_1 = require("./embedded-store");
/**
 * The embedded store (PGlite under the data directory) unless DATABASE_URL names a PostgreSQL server.
 * The embedded store belongs to one process: `npm run dev` runs the API and the worker in one.
 */
async function openJobStore(config) {
    if (config.databaseUrl) {
        throw new Error('DATABASE_URL (PostgreSQL) is not supported yet; unset it to use the embedded store');
    }
    return (0, embedded_store_1.openEmbeddedJobStore)({ dataDir: (0, node_path_1.join)(config.dataDir, 'ats') });
}
//# sourceMappingURL=open-job-store.js.map