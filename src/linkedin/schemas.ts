import { z } from 'zod';
import { statusCode } from './answer-readings';

/** What LinkedIn answers, checked before it is believed (linkedin.md §4–6). */

export const TokenResponse = z.object({
  access_token: z.string().min(1),
  // A number, or a numeric string as in LinkedIn's own sample ("expires_in": "1800", Client Credential
  // Flow, https://learn.microsoft.com/en-us/linkedin/shared/authentication/client-credentials-flow).
  expires_in: z
    .union([z.number(), z.string().regex(/^\s*\d+\s*$/, { error: 'is not a number of seconds' })])
    .transform(Number)
    .pipe(z.number().positive()),
});

/** A status code written as a number or a numeric string (job_posting_v2.yaml types them as strings). */
const StatusCode = z.unknown().transform((value, ctx) => {
  const code = statusCode(value);
  if (code === undefined) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a status code` });
    return z.NEVER;
  }
  return code;
});

const optionalCode = z
  .unknown()
  .transform((value) => statusCode(value))
  .optional();

export const ErrorBody = z.object({
  message: z.string().optional(),
  serviceErrorCode: z
    .unknown()
    .transform((value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
    .pipe(z.number().optional())
    .catch(undefined),
  status: optionalCode,
  /** The job an error names (talent-solutions-java-sdk, JobPostingErrorDetail.java). */
  errorDetails: z.object({ externalJobPostingId: z.string().optional() }).optional().catch(undefined),
  /** The token endpoint answers errors in OAuth's shape: `{"error": "invalid_client", "error_description"}`. */
  error_description: z.string().optional(),
});

const AcceptedElement = z.object({
  id: z.string().startsWith('urn:li:simpleJobPostingTask:'),
  status: StatusCode.pipe(z.number().int().min(200).max(299)),
  location: z.string().optional(),
});

const RejectedElement = z.object({
  status: StatusCode.pipe(z.number().int().min(300)),
  error: z.object({ message: z.string().optional(), status: optionalCode }).optional().nullable(),
});

export const BatchCreateResponse = z.object({
  elements: z.array(z.union([AcceptedElement, RejectedElement])),
});

/**
 * Task status answers (Check Job Operation Task Status). `status` is read by `readTask`: a value LinkedIn
 * does not document means "not finished yet", never a broken answer.
 */
export const TaskStatusResponse = z.object({
  results: z.record(
    z.string(),
    z.object({
      id: z.string().optional(),
      status: z.unknown(),
      externalJobPostingId: z.string().nullish(),
      jobPosting: z.string().nullish(),
      errorMessage: z.string().nullish(),
    }),
  ),
  errors: z.record(z.string(), z.unknown()).optional(),
});
