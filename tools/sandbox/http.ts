/** The plumbing every sandbox endpoint shares: reading a request, LinkedIn's error bodies, writing a reply. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body: unknown;
  /** Sent as it is, as text, instead of `body` as JSON (what a proxy's error page looks like). */
  raw?: string;
  headers?: Record<string, string>;
}

export type Endpoint = 'token' | 'simpleJobPostings' | 'simpleJobPostingTasks' | 'jobPostingStatus' | 'other';

export const SERVICE_ERROR_INVALID_TOKEN = 65600;
export const SERVICE_ERROR_EXPIRED_TOKEN = 65602;
export const SERVICE_ERROR_PERMISSION = 100;
export const SERVICE_ERROR_NONE = 0;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const LINKEDIN_VERSION = /^\d{6}(\.\d{2})?$/;

export function classify(pathname: string): Endpoint {
  switch (pathname) {
    case '/oauth/v2/accessToken':
      return 'token';
    case '/v2/simpleJobPostings':
    case '/rest/simpleJobPostings':
      return 'simpleJobPostings';
    case '/v2/simpleJobPostingTasks':
    case '/rest/simpleJobPostingTasks':
      return 'simpleJobPostingTasks';
    case '/v2/jobPostingStatus':
    case '/rest/jobPostingStatus':
      return 'jobPostingStatus';
    default:
      return 'other';
  }
}

export function wholeCallError(status: number, serviceErrorCode: number, message: string): unknown {
  return { message, serviceErrorCode, status };
}

export function badRequest(message: string): Reply {
  return { status: 400, body: wholeCallError(400, SERVICE_ERROR_NONE, message) };
}

export function tooLarge(): Reply {
  return { status: 413, body: wholeCallError(413, SERVICE_ERROR_NONE, 'Request body too large') };
}

export function versionCheck(req: IncomingMessage): Reply | undefined {
  const version = headerValue(req, 'linkedin-version');
  if (version !== null && LINKEDIN_VERSION.test(version)) return undefined;
  return badRequest('A LinkedIn-Version header in the form YYYYMM is required on /rest endpoints');
}

export function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

export function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(req, 'authorization') ?? '');
  return match?.[1] ?? null;
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The whole body as text, or undefined when it is larger than the sandbox accepts. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const payload = reply.raw ?? JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': reply.raw === undefined ? 'application/json' : 'text/html',
    'Content-Length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}
