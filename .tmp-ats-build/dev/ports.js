"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.freePort = freePort;
const node_net_1 = require("node:net");
/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort() {
    return new Promise((resolve, reject) => {
        const server = (0, node_net_1.createServer)();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            const port = typeof address === 'object' && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}
//# sourceMappingURL=ports.js.map