"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createTemporalClient = createTemporalClient;
const client_1 = require("@temporalio/client");
/**
 * A client whose connection is made lazily: the API starts, and answers 500 rather than refusing
 * connections, while Temporal is unreachable.
 */
function createTemporalClient(config) {
    const connection = client_1.Connection.lazy({
        address: config.address,
        ...(config.apiKey ? { apiKey: config.apiKey, tls: true } : {}),
        connectTimeout: 3_000,
    });
    return new client_1.Client({ connection, namespace: config.namespace });
}
//# sourceMappingURL=temporal-client.js.map