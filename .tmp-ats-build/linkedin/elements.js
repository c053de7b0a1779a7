"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.jobElement = jobElement;
exports.closeElement = closeElement;
const zod_1 = require("zod");
const contract_1 = require("../contract");
const EMPLOYMENT_STATUSES = [
    'FULL_TIME',
    'PART_TIME',
    'CONTRACT',
    'INTERNSHIP',
    'TEMPORARY',
    'VOLUNTEER',
    'OTHER',
];
const EXPERIENCE_LEVELS = [
    'ENTRY_LEVEL',
    'MID_SENIOR_LEVEL',
    'DIRECTOR',
    'EXECUTIVE',
    'INTERNSHIP',
    'ASSOCIATE',
    'NOT_APPLICABLE',
];
/**
 * The ATS's job checked against LinkedIn's rules before it is sent: a job that breaks them is recorded
 * as rejected with the reason, instead of costing a call LinkedIn would refuse.
 */
const SendableJob = zod_1.z.object({
    externalJobPostingId: zod_1.z.string().min(1).max(contract_1.MAX_EXTERNAL_ID_LENGTH),
    title: zod_1.z
        .string()
        .trim()
        .min(1, { error: 'title is empty' })
        .max(200, { error: 'title is longer than 200 characters' }),
    description: zod_1.z
        .string()
        .min(100, { error: 'description is shorter than 100 characters' })
        .max(25_000, { error: 'description is longer than 25,000 characters' }),
    companyApplyUrl: zod_1.z.url({ protocol: /^https?$/, error: 'companyApplyUrl is not an http(s) URL' }),
    listedAt: zod_1.z.number().int().min(1e12, { error: 'listedAt is not in epoch milliseconds' }),
    location: zod_1.z.string().trim().min(1, { error: 'location is empty' }),
    employmentStatus: zod_1.z
        .enum(EMPLOYMENT_STATUSES, { error: 'employmentStatus is not a LinkedIn value' })
        .nullable(),
    experienceLevel: zod_1.z.enum(EXPERIENCE_LEVELS, { error: 'experienceLevel is not a LinkedIn value' }).nullable(),
});
function owner(application) {
    return application.integrationContext
        ? { integrationContext: application.integrationContext }
        : { companyName: application.companyName };
}
/** The full job for UPDATE or CREATE, or why the ATS's data cannot be sent. */
function jobElement(job, application, operation, now) {
    const checked = SendableJob.safeParse(job);
    if (!checked.success) {
        return {
            problem: `the ATS's job cannot be sent: ${checked.error.issues.map((issue) => issue.message).join('; ')}`,
        };
    }
    const element = {
        externalJobPostingId: job.externalJobPostingId,
        jobPostingOperationType: operation,
        ...owner(application),
        title: job.title.trim(),
        description: job.description,
        companyApplyUrl: job.companyApplyUrl,
        // LinkedIn refuses a listedAt in the future; a clock ahead in the ATS must not block the job.
        listedAt: Math.min(job.listedAt, now),
        location: job.location.trim(),
    };
    if (job.workplaceType)
        element.workplaceTypes = [job.workplaceType];
    if (job.employmentStatus)
        element.employmentStatus = job.employmentStatus;
    if (job.experienceLevel)
        element.experienceLevel = job.experienceLevel;
    return { element };
}
/** CLOSE needs only the id and the owner. */
function closeElement(job, application) {
    return {
        externalJobPostingId: job.externalJobPostingId,
        jobPostingOperationType: 'CLOSE',
        ...owner(application),
    };
}
//# sourceMappingURL=elements.js.map