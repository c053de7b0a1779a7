import { z } from 'zod';

/** What LinkedIn answers, checked before it is believed (linkedin.md §4–6). */

export const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

export const ErrorBody = z.object({
  message: z.string().optional(),
  serviceErrorCode: z.number().optional(),
  status: z.number().optional(),
  /** The token endpoint answers errors in OAuth's shape: `{"error": "invalid_client", "error_description"}`. */
  error_description: z.string().optional(),
});

const AcceptedElement = z.object({
  id: z.string().startsWith('urn:li:simpleJobPostingTask:'),
  status: z.number().int().min(200).max(299),
  location: z.string().optional(),
});

const RejectedElement = z.object({
  status: z.number().int().min(300),
  error: z.object({ message: z.string().optional(), status: z.number().optional() }).optional(),
});

export const BatchCreateResponse = z.object({
  elements: z.array(z.union([AcceptedElement, RejectedElement])),
});

export const TaskStatus = z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'PROCESSED']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const TaskStatusResponse = z.object({
  results: z.record(
    z.string(),
    z.object({
      id: z.string().optional(),
      status: TaskStatus,
      externalJobPostingId: z.string().optional(),
      jobPosting: z.string().optional(),
      errorMessage: z.string().optional(),
    }),
  ),
  errors: z.record(z.string(), z.unknown()).optional(),
});
