"use strict";
/**
 * The per-element rules LinkedIn applies to a SimpleJobPostings element (linkedin.md §5). A broken rule
 * becomes one `ERROR :: /<field> :: <why>` line of the element's 422 message, as LinkedIn formats them.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.MIN_EPOCH_MILLIS = exports.MAX_DESCRIPTION_LENGTH = exports.MIN_DESCRIPTION_LENGTH = exports.MAX_TITLE_LENGTH = exports.MAX_EXTERNAL_ID_LENGTH = exports.OPERATIONS = void 0;
exports.isOperation = isOperation;
exports.validateElement = validateElement;
exports.formatErrors = formatErrors;
exports.OPERATIONS = ['CREATE', 'UPDATE', 'RENEW', 'CLOSE'];
const WORKPLACE_TYPES = ['On-site', 'Hybrid', 'Remote'];
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
const LISTING_TYPES = ['BASIC', 'PREMIUM'];
exports.MAX_EXTERNAL_ID_LENGTH = 75;
exports.MAX_TITLE_LENGTH = 200;
exports.MIN_DESCRIPTION_LENGTH = 100;
exports.MAX_DESCRIPTION_LENGTH = 25_000;
/** Anything below this is a 1970s date in milliseconds: almost certainly epoch seconds sent by mistake. */
exports.MIN_EPOCH_MILLIS = 1e12;
const ORGANIZATION_URN = /^urn:li:organization:\d+$/;
function isOperation(value) {
    return typeof value === 'string' && exports.OPERATIONS.includes(value);
}
function validateElement(element, nowMs) {
    if (!isRecord(element)) {
        return {
            externalJobPostingId: null,
            operation: null,
            errors: [line('', 'element must be a JSON object')],
        };
    }
    const errors = [];
    const id = element['externalJobPostingId'];
    const externalJobPostingId = typeof id === 'string' ? id : null;
    checkString(element, 'externalJobPostingId', { required: true, max: exports.MAX_EXTERNAL_ID_LENGTH }, errors);
    const op = element['jobPostingOperationType'];
    const operation = isOperation(op) ? op : null;
    if (op === undefined) {
        errors.push(missing('jobPostingOperationType'));
    }
    else if (operation === null) {
        errors.push(line('jobPostingOperationType', `${JSON.stringify(op)} is not an enum symbol`));
    }
    checkCompany(element, operation !== 'CLOSE', errors);
    if (operation === null || operation === 'CLOSE') {
        return { externalJobPostingId, operation, errors };
    }
    checkString(element, 'title', { required: true, max: exports.MAX_TITLE_LENGTH }, errors);
    checkString(element, 'description', { required: true, min: exports.MIN_DESCRIPTION_LENGTH, max: exports.MAX_DESCRIPTION_LENGTH }, errors);
    checkApplyUrl(element, errors);
    checkListedAt(element, nowMs, errors);
    checkString(element, 'location', { required: true }, errors);
    checkWorkplaceTypes(element, errors);
    checkEnum(element, 'employmentStatus', EMPLOYMENT_STATUSES, errors);
    checkEnum(element, 'experienceLevel', EXPERIENCE_LEVELS, errors);
    checkEnum(element, 'listingType', LISTING_TYPES, errors);
    checkArrayMax(element, 'categories', 3, errors);
    checkArrayMax(element, 'alternateLocations', 7, errors);
    return { externalJobPostingId, operation, errors };
}
/** LinkedIn's message: one line per broken rule, each ending in a newline. */
function formatErrors(errors) {
    return errors.map((error) => `${error}\n`).join('');
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function line(field, why) {
    return `ERROR :: /${field} :: ${why}`;
}
function missing(field) {
    return line(field, 'field is required but not found and has no default value');
}
function characters(value) {
    return [...value].length;
}
function checkString(element, field, rule, errors) {
    const value = element[field];
    if (value === undefined || value === null) {
        if (rule.required)
            errors.push(missing(field));
        return;
    }
    if (typeof value !== 'string') {
        errors.push(line(field, `${JSON.stringify(value)} is not a string`));
        return;
    }
    const length = characters(value);
    const min = rule.min ?? 1;
    if (value.trim() === '') {
        errors.push(line(field, 'must not be empty'));
    }
    else if (length < min) {
        errors.push(line(field, `length ${length} is below the minimum of ${min}`));
    }
    else if (rule.max !== undefined && length > rule.max) {
        errors.push(line(field, `length ${length} exceeds the maximum of ${rule.max}`));
    }
}
function checkCompany(element, required, errors) {
    const context = element['integrationContext'];
    if (context !== undefined && context !== null) {
        if (typeof context !== 'string' || !ORGANIZATION_URN.test(context)) {
            errors.push(line('integrationContext', `${JSON.stringify(context)} is not a urn:li:organization:{id}`));
        }
        return;
    }
    const name = element['companyName'];
    if (name === undefined || name === null) {
        if (required)
            errors.push(line('companyName', 'field is required when integrationContext is absent'));
        return;
    }
    checkString(element, 'companyName', { required: true }, errors);
}
function checkApplyUrl(element, errors) {
    const value = element['companyApplyUrl'];
    if (value === undefined || value === null) {
        errors.push(missing('companyApplyUrl'));
        return;
    }
    if (typeof value !== 'string' || !isHttpUrl(value)) {
        errors.push(line('companyApplyUrl', `${JSON.stringify(value)} is not a valid http(s) URL`));
    }
}
function isHttpUrl(value) {
    try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
    }
    catch {
        return false;
    }
}
function checkListedAt(element, nowMs, errors) {
    const value = element['listedAt'];
    if (value === undefined || value === null) {
        errors.push(missing('listedAt'));
    }
    else if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        errors.push(line('listedAt', `${JSON.stringify(value)} is not an integer epoch time in milliseconds`));
    }
    else if (value < exports.MIN_EPOCH_MILLIS) {
        errors.push(line('listedAt', `${value} looks like epoch seconds; listedAt must be epoch milliseconds (UTC)`));
    }
    else if (value > nowMs) {
        errors.push(line('listedAt', `${value} is in the future; it must not be after ${nowMs}`));
    }
}
function checkWorkplaceTypes(element, errors) {
    const value = element['workplaceTypes'];
    if (value === undefined || value === null)
        return;
    if (!Array.isArray(value) || value.length !== 1) {
        errors.push(line('workplaceTypes', `must be an array of exactly one of ${WORKPLACE_TYPES.join(', ')}`));
        return;
    }
    const first = value[0];
    if (typeof first !== 'string' || !WORKPLACE_TYPES.includes(first)) {
        errors.push(line('workplaceTypes/0', `${JSON.stringify(first)} is not an enum symbol`));
    }
}
function checkEnum(element, field, symbols, errors) {
    const value = element[field];
    if (value === undefined || value === null)
        return;
    if (typeof value !== 'string' || !symbols.includes(value)) {
        errors.push(line(field, `${JSON.stringify(value)} is not an enum symbol`));
    }
}
function checkArrayMax(element, field, max, errors) {
    const value = element[field];
    if (value === undefined || value === null)
        return;
    if (!Array.isArray(value)) {
        errors.push(line(field, 'must be an array'));
    }
    else if (value.length > max) {
        errors.push(line(field, `${value.length} items exceed the maximum of ${max}`));
    }
}
//# sourceMappingURL=element-rules.js.map