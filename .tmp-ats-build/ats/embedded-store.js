"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.openEmbeddedJobStore = openEmbeddedJobStore;
const promises_1 = require("node:fs/promises");
const node_path_1 = require("node:path");
// The CommonJS build of PGlite loads fine with require(); it fetches its WASM and fs helpers with dynamic
// import() itself, which Node allows natively and Jest only with NODE_OPTIONS=--experimental-vm-modules.
const pglite_1 = require("@electric-sql/pglite");
const sql_1 = require("./sql");
/** The default ATS database when no DATABASE_URL is set: PostgreSQL in WASM, in process. */
async function openEmbeddedJobStore(options = {}) {
    let db;
    if (options.dataDir === undefined) {
        db = await pglite_1.PGlite.create();
    }
    else {
        const dataDir = (0, node_path_1.resolve)(options.dataDir);
        await (0, promises_1.mkdir)(dataDir, { recursive: true });
        db = await pglite_1.PGlite.create({ dataDir });
    }
    try {
        await (0, sql_1.applySchema)(db);
    }
    catch (error) {
        await db.close();
        throw error;
    }
    return { ...(0, sql_1.createSqlJobStore)(db), db };
}
//# sourceMappingURL=embedded-store.js.map