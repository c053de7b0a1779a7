"use strict";
/**
 * The ATS side of the integration: where the vendor's customers, their LinkedIn child applications and
 * their jobs live. Activities read through this port only; `worker.ts` chooses the implementation.
 */
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=job-store.js.map