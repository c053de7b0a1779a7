/**
 * The per-element rules LinkedIn applies to a SimpleJobPostings element (linkedin.md §5). A broken rule
 * becomes one `ERROR :: /<field> :: <why>` line of the element's 422 message, as LinkedIn formats them
 * (Create Jobs, API error details, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/create-jobs).
 * Two refusals of that table are whole-call 400s instead: an invalid companyApplyUrl and a missing company.
 */

import { randomUUID } from 'node:crypto';

export const OPERATIONS = ['CREATE', 'UPDATE', 'RENEW', 'CLOSE'] as const;
export type Operation = (typeof OPERATIONS)[number];

const WORKPLACE_TYPES = ['On-site', 'Hybrid', 'Remote'] as const;
const EMPLOYMENT_STATUSES = [
  'FULL_TIME',
  'PART_TIME',
  'CONTRACT',
  'INTERNSHIP',
  'TEMPORARY',
  'VOLUNTEER',
  'OTHER',
] as const;
const EXPERIENCE_LEVELS = [
  'ENTRY_LEVEL',
  'MID_SENIOR_LEVEL',
  'DIRECTOR',
  'EXECUTIVE',
  'INTERNSHIP',
  'ASSOCIATE',
  'NOT_APPLICABLE',
] as const;
const LISTING_TYPES = ['BASIC', 'PREMIUM'] as const;

/**
 * The strictest reading: a 2026 Job Posting API schema page says 75 characters, while the OpenAPI file
 * (job_posting_v2.yaml, maxLength 200) and a 2025 page allow 200. The service sends any id and lets this
 * element answer decide.
 */
export const MAX_EXTERNAL_ID_LENGTH = 75;
export const MAX_TITLE_LENGTH = 200;
export const MIN_DESCRIPTION_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 25_000;
/** Anything below this is a 1970s date in milliseconds: almost certainly epoch seconds sent by mistake. */
export const MIN_EPOCH_MILLIS = 1e12;
const ORGANIZATION_URN = /^urn:li:organization:\d+$/;

export interface ElementVerdict {
  /** The id when it is a string, even if other rules fail: results and faults are keyed by it. */
  externalJobPostingId: string | null;
  operation: Operation | null;
  /** Empty when the element is valid. */
  errors: string[];
  /** A problem LinkedIn refuses the whole call for (HTTP 400), when the element has one. */
  wholeCallError?: string;
}

export function isOperation(value: unknown): value is Operation {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}

/**
 * Every operation is checked alike: CLOSE is "a copy of the Create … request with jobPostingOperationType
 * set to CLOSE" (job_posting_v2.yaml, closeJobPostingFoundationSchemaExample; Close Jobs,
 * https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/close-jobs), and the schema's required
 * fields hold for every element.
 */
export function validateElement(
  element: unknown,
  nowMs: number,
  maxIdLength = MAX_EXTERNAL_ID_LENGTH,
): ElementVerdict {
  if (!isRecord(element)) {
    return {
      externalJobPostingId: null,
      operation: null,
      errors: [line('', 'element must be a JSON object')],
    };
  }
  const errors: string[] = [];
  const id = element['externalJobPostingId'];
  const externalJobPostingId = typeof id === 'string' ? id : null;
  checkString(element, 'externalJobPostingId', { required: true, max: maxIdLength }, errors);

  const op = element['jobPostingOperationType'];
  const operation = isOperation(op) ? op : null;
  if (op === undefined) {
    errors.push(missing('jobPostingOperationType'));
  } else if (operation === null) {
    errors.push(line('jobPostingOperationType', `${JSON.stringify(op)} is not an enum symbol`));
  }

  checkString(element, 'title', { required: true, max: MAX_TITLE_LENGTH }, errors);
  checkString(
    element,
    'description',
    { required: true, min: MIN_DESCRIPTION_LENGTH, max: MAX_DESCRIPTION_LENGTH },
    errors,
  );
  const applyUrlError = checkApplyUrl(element, errors);
  checkListedAt(element, nowMs, errors);
  checkString(element, 'location', { required: true }, errors);
  const companyError = checkCompany(element, errors);
  checkWorkplaceTypes(element, errors);
  checkEnum(element, 'employmentStatus', EMPLOYMENT_STATUSES, errors);
  checkEnum(element, 'experienceLevel', EXPERIENCE_LEVELS, errors);
  checkEnum(element, 'listingType', LISTING_TYPES, errors);
  checkArrayMax(element, 'categories', 3, errors);
  checkArrayMax(element, 'alternateLocations', 7, errors);
  const wholeCallError = applyUrlError ?? companyError;
  return {
    externalJobPostingId,
    operation,
    errors,
    ...(wholeCallError === undefined ? {} : { wholeCallError }),
  };
}

/** LinkedIn's message: one line per broken rule, each ending in a newline. */
export function formatErrors(errors: readonly string[]): string {
  return errors.map((error) => `${error}\n`).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function line(field: string, why: string): string {
  return `ERROR :: /${field} :: ${why}`;
}

function missing(field: string): string {
  return line(field, 'field is required but not found and has no default value');
}

function characters(value: string): number {
  return [...value].length;
}

function checkString(
  element: Record<string, unknown>,
  field: string,
  rule: { required: boolean; min?: number; max?: number },
  errors: string[],
): void {
  const value = element[field];
  if (value === undefined || value === null) {
    if (rule.required) errors.push(missing(field));
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
  } else if (length < min) {
    errors.push(line(field, `length ${length} is below the minimum of ${min}`));
  } else if (rule.max !== undefined && length > rule.max) {
    errors.push(line(field, `length ${length} exceeds the maximum of ${rule.max}`));
  }
}

/**
 * Neither integrationContext nor companyName: a whole-call 400, "Either context or company or
 * companyPageUrl or companyName must be provided" (Create Jobs, API error details).
 */
function checkCompany(element: Record<string, unknown>, errors: string[]): string | undefined {
  const context = element['integrationContext'];
  if (context !== undefined && context !== null) {
    if (typeof context !== 'string' || !ORGANIZATION_URN.test(context)) {
      errors.push(line('integrationContext', `${JSON.stringify(context)} is not a urn:li:organization:{id}`));
    }
    return undefined;
  }
  const name = element['companyName'];
  if (name === undefined || name === null) {
    return 'Either context or company or companyPageUrl or companyName must be provided';
  }
  checkString(element, 'companyName', { required: true }, errors);
  return undefined;
}

/**
 * A missing companyApplyUrl is an element 422 like any required field; one that is there but not a URL
 * is a whole-call 400 naming the job: "Invalid company apply url for job with externalPartnerId {id},
 * taskUrn urn:li:simpleJobPostingTask:{taskID}" (Create Jobs, API error details).
 */
function checkApplyUrl(element: Record<string, unknown>, errors: string[]): string | undefined {
  const value = element['companyApplyUrl'];
  if (value === undefined || value === null) {
    errors.push(missing('companyApplyUrl'));
    return undefined;
  }
  if (typeof value === 'string' && isHttpUrl(value)) return undefined;
  const id = element['externalJobPostingId'];
  return (
    `Invalid company apply url for job with externalPartnerId ${typeof id === 'string' ? id : String(id)}, ` +
    `taskUrn urn:li:simpleJobPostingTask:${randomUUID()}`
  );
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkListedAt(element: Record<string, unknown>, nowMs: number, errors: string[]): void {
  const value = element['listedAt'];
  if (value === undefined || value === null) {
    errors.push(missing('listedAt'));
  } else if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    errors.push(line('listedAt', `${JSON.stringify(value)} is not an integer epoch time in milliseconds`));
  } else if (value < MIN_EPOCH_MILLIS) {
    errors.push(
      line('listedAt', `${value} looks like epoch seconds; listedAt must be epoch milliseconds (UTC)`),
    );
  } else if (value > nowMs) {
    errors.push(line('listedAt', `${value} is in the future; it must not be after ${nowMs}`));
  }
}

function checkWorkplaceTypes(element: Record<string, unknown>, errors: string[]): void {
  const value = element['workplaceTypes'];
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.length !== 1) {
    errors.push(line('workplaceTypes', `must be an array of exactly one of ${WORKPLACE_TYPES.join(', ')}`));
    return;
  }
  const first: unknown = value[0];
  if (typeof first !== 'string' || !(WORKPLACE_TYPES as readonly string[]).includes(first)) {
    errors.push(line('workplaceTypes/0', `${JSON.stringify(first)} is not an enum symbol`));
  }
}

function checkEnum(
  element: Record<string, unknown>,
  field: string,
  symbols: readonly string[],
  errors: string[],
): void {
  const value = element[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !symbols.includes(value)) {
    errors.push(line(field, `${JSON.stringify(value)} is not an enum symbol`));
  }
}

function checkArrayMax(element: Record<string, unknown>, field: string, max: number, errors: string[]): void {
  const value = element[field];
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    errors.push(line(field, 'must be an array'));
  } else if (value.length > max) {
    errors.push(line(field, `${value.length} items exceed the maximum of ${max}`));
  }
}
