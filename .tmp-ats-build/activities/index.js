"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createActivities = createActivities;
const activity_1 = require("@temporalio/activity");
const failures_1 = require("../failures");
const elements_1 = require("../linkedin/elements");
const linkedin_api_error_1 = require("../linkedin/linkedin-api-error");
const linkedin_credentials_error_1 = require("../linkedin/linkedin-credentials-error");
const failures_2 = require("./failures");
/** Activities are built from their dependencies; only `worker.ts` wires the real ones. */
function createActivities(deps) {
    const now = deps.now ?? Date.now;
    async function application(urn) {
        const found = await deps.jobStore.getApplication(urn);
        if (!found) {
            throw activity_1.ApplicationFailure.nonRetryable(`the ATS does not know ${urn}`, failures_1.FailureType.UnknownApplication);
        }
        return found;
    }
    /** One batch_create call with the application's shared token; a refused token is renewed once. */
    async function send(app, elements, signal) {
        const token = await tokenFor(app, signal);
        try {
            return await deps.linkedin.postJobs(token, elements, signal);
        }
        catch (error) {
            if (!(error instanceof linkedin_api_error_1.LinkedInApiError) || error.status !== 401)
                throw error;
            await deps.tokens.invalidate(app, token);
            return deps.linkedin.postJobs(await tokenFor(app, signal), elements, signal);
        }
    }
    async function tokenFor(app, signal) {
        try {
            return await deps.tokens.get(app, signal);
        }
        catch (error) {
            if (error instanceof linkedin_api_error_1.LinkedInApiError &&
                error.status >= 400 &&
                error.status < 500 &&
                error.status !== 429) {
                throw new linkedin_credentials_error_1.LinkedInCredentialsError(error.status, `LinkedIn refused the credentials of ${app.urn}: ${error.message}`, error.serviceErrorCode, undefined);
            }
            throw error;
        }
    }
    return {
        /** A page of the application's open job ids, in id order, for syncAllOpenJobs. */
        async listOpenJobIds(input) {
            await application(input.developerApplicationUrn);
            return deps.jobStore.listOpenJobIds(input.developerApplicationUrn, {
                after: input.after,
                limit: input.limit,
            });
        },
        /**
         * Re-posts one batch (≤ 100 ids): open jobs with UPDATE, jobs closed in the ATS with CLOSE (the ATS is
         * the truth), one operation type per call and calls one after another. Bodies are loaded here, so the
         * workflow's history holds ids and outcomes only.
         */
        async postBatch(input) {
            const { cancellationSignal } = activity_1.Context.current();
            const app = await application(input.developerApplicationUrn);
            const jobs = new Map();
            for (const job of await deps.jobStore.loadJobs(app.urn, input.externalJobPostingIds)) {
                jobs.set(job.externalJobPostingId, job);
            }
            const results = new Map();
            const updates = [];
            const closes = [];
            for (const id of input.externalJobPostingIds) {
                const job = jobs.get(id);
                if (!job) {
                    results.set(id, { externalJobPostingId: id, fate: 'NOT_IN_ATS' });
                }
                else if (job.status === 'CLOSED') {
                    closes.push((0, elements_1.closeElement)(job, app));
                }
                else {
                    const mapped = (0, elements_1.jobElement)(job, app, 'UPDATE', now());
                    if ('problem' in mapped)
                        results.set(id, { externalJobPostingId: id, fate: 'REJECTED', reason: mapped.problem });
                    else
                        updates.push(mapped.element);
                }
            }
            try {
                for (const elements of [updates, closes]) {
                    if (elements.length === 0)
                        continue;
                    let answers;
                    try {
                        answers = await send(app, elements, cancellationSignal);
                    }
                    catch (error) {
                        if (!(0, failures_2.isPermanentRefusal)(error))
                            throw error;
                        for (const element of elements) {
                            const reason = error instanceof linkedin_credentials_error_1.LinkedInCredentialsError
                                ? error.message
                                : `LinkedIn refused the call (${error.status}): ${error.message}`;
                            results.set(element.externalJobPostingId, {
                                externalJobPostingId: element.externalJobPostingId,
                                fate: 'REJECTED',
                                reason,
                            });
                        }
                        continue;
                    }
                    elements.forEach((element, index) => {
                        const answer = answers[index];
                        const id = element.externalJobPostingId;
                        if (!answer)
                            return;
                        const closing = element.jobPostingOperationType === 'CLOSE';
                        if (answer.ok) {
                            results.set(id, {
                                externalJobPostingId: id,
                                fate: closing ? 'CLOSED' : 'UPDATED',
                                taskUrn: answer.taskUrn,
                            });
                        }
                        else if (closing && answer.status === 409) {
                            // Already closed or absent on LinkedIn: the ATS's truth already holds.
                            results.set(id, { externalJobPostingId: id, fate: 'CLOSED' });
                        }
                        else if (answer.status === 429 || answer.status >= 500) {
                            throw new linkedin_api_error_1.LinkedInApiError(answer.status, `element ${id}: ${answer.message}`, undefined, undefined);
                        }
                        else {
                            results.set(id, {
                                externalJobPostingId: id,
                                fate: 'REJECTED',
                                reason: `LinkedIn rejected the job (${answer.status}): ${answer.message}`,
                            });
                        }
                    });
                }
            }
            catch (error) {
                throw (0, failures_2.toActivityFailure)(error);
            }
            return {
                results: input.externalJobPostingIds.map((id) => results.get(id) ?? { externalJobPostingId: id, fate: 'REJECTED', reason: 'no answer recorded' }),
            };
        },
    };
}
//# sourceMappingURL=index.js.map