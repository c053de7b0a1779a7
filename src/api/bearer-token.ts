import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from './http-error';

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
export function requireBearerToken(token: string): Middleware {
  const expected = digest(token);
  return async (ctx, next) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get('Authorization'));
    if (!match?.[1]) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'Authorization: Bearer <ADMIN_TOKEN> is required');
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new HttpError(401, 'the bearer token is not valid');
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
