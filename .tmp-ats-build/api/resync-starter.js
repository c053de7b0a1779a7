"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createResyncStarter = createResyncStarter;
const client_1 = require("@temporalio/client");
const contract_1 = require("../contract");
/**
 * Starts one `resyncJobs` workflow per notification. The id comes from the notification and a running
 * workflow with that id is joined (USE_EXISTING), so redeliveries never start duplicate work.
 */
function createResyncStarter(client, options) {
    return {
        async start(notification, receivedAt) {
            const request = (0, contract_1.canonicalRequest)(notification);
            const input = { ...request, receivedAt, deadlineMs: options.deadlineMs };
            const workflowId = (0, contract_1.workflowIdFor)(notification);
            try {
                const handle = await client.withDeadline(Date.now() + options.startTimeoutMs, () => client.workflow.start(contract_1.WORKFLOW_TYPE, {
                    taskQueue: options.taskQueue,
                    workflowId,
                    args: [input],
                    workflowIdConflictPolicy: 'USE_EXISTING',
                    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
                    typedSearchAttributes: [
                        { key: contract_1.DEVELOPER_APPLICATION_URN, value: request.developerApplicationUrn },
                    ],
                    staticSummary: (0, contract_1.summaryOf)(request),
                }));
                return { workflowId, runId: handle.firstExecutionRunId };
            }
            catch (error) {
                // Raced with another delivery between its start and ours: it is running, which is what we want.
                if (error instanceof client_1.WorkflowExecutionAlreadyStartedError)
                    return { workflowId, runId: '' };
                throw error;
            }
        },
        async ready() {
            try {
                await client.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
                return true;
            }
            catch {
                return false;
            }
        },
    };
}
//# sourceMappingURL=resync-starter.js.map