/**
 * POST /oauth/v2/accessToken: the client credentials flow (linkedin.md §4), and the bearer check the API
 * endpoints make with the tokens it issued.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  bearerToken,
  headerValue,
  SERVICE_ERROR_EXPIRED_TOKEN,
  SERVICE_ERROR_INVALID_TOKEN,
  SERVICE_ERROR_PERMISSION,
  wholeCallError,
  type Reply,
} from './http';
import type { SandboxState } from './state';

export interface TokenSettings {
  tokenTtlSeconds: number;
  /** How `expires_in` is written (see LinkedInSandboxOptions). */
  tokenExpiresInAs: 'string' | 'number';
}

/** Who a call with a valid child token comes from. */
export interface Caller {
  developerApplicationUrn: string;
}

export function issueToken(
  state: SandboxState,
  settings: TokenSettings,
  req: IncomingMessage,
  body: string,
): Reply {
  if (
    !(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
  ) {
    return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(body);
  const clientId = form.get('client_id');
  const application = state.applicationByClientId(clientId);
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'The grant_type must be client_credentials');
  }
  const clientSecret = form.get('client_secret');
  if (clientId === null || clientId === '' || clientSecret === null || clientSecret === '') {
    return oauthError(
      400,
      'invalid_request',
      'A required parameter "client_id" or "client_secret" is missing',
    );
  }
  if (application === undefined || application.clientSecret !== clientSecret) {
    return oauthError(401, 'invalid_client', 'Client authentication failed');
  }
  const accessToken = randomBytes(48).toString('base64url');
  state.tokens.set(accessToken, {
    developerApplicationUrn: application.developerApplicationUrn,
    kind: application.kind,
    expiresAt: state.now() + settings.tokenTtlSeconds * 1000,
    expired: false,
  });
  const expiresIn =
    settings.tokenExpiresInAs === 'string' ? String(settings.tokenTtlSeconds) : settings.tokenTtlSeconds;
  return { status: 200, body: { access_token: accessToken, expires_in: expiresIn } };
}

/** The caller of an API endpoint, or LinkedIn's 401 (invalid, expired) or 403 (not a child application). */
export function authenticate(state: SandboxState, req: IncomingMessage, resource: string): Caller | Reply {
  const bearer = bearerToken(req);
  const token = bearer === null ? undefined : state.tokens.get(bearer);
  if (token === undefined || token.revoked === true) {
    return { status: 401, body: wholeCallError(401, SERVICE_ERROR_INVALID_TOKEN, 'Invalid access token') };
  }
  if (token.expired || state.now() >= token.expiresAt) {
    return {
      status: 401,
      body: wholeCallError(401, SERVICE_ERROR_EXPIRED_TOKEN, 'The token used in the request has expired'),
    };
  }
  if (token.kind !== 'child') {
    return {
      status: 403,
      body: wholeCallError(403, SERVICE_ERROR_PERMISSION, `Not enough permissions to access: ${resource}`),
    };
  }
  return { developerApplicationUrn: token.developerApplicationUrn };
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}
