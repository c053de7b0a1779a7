"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.progressQuery = exports.resyncJobs = void 0;
var resync_jobs_1 = require("./resync-jobs");
Object.defineProperty(exports, "resyncJobs", { enumerable: true, get: function () { return resync_jobs_1.resyncJobs; } });
Object.defineProperty(exports, "progressQuery", { enumerable: true, get: function () { return resync_jobs_1.progressQuery; } });
//# sourceMappingURL=index.js.map