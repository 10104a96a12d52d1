import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allows } from '../auth/scope';
import { hashToken, looksLikeToken } from '../auth/tokens';
import { UserCache } from '../auth/user-cache';
import { userByTokenHash, type AuthUser } from '../auth/users';
import { forbidden, unauthorized } from '../errors';

export const SESSION_COOKIE = 'iop_session';

/** The credential a request carries: the Bearer token first, else the session cookie. */
export function credentialOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? '';
  }
  return request.cookies[SESSION_COOKIE] ?? null;
}

function isApiRequest(url: string): boolean {
  return url === '/api/v1' || url.startsWith('/api/v1/') || url.startsWith('/api/v1?');
}

/**
 * Authentication and authorization in `onRequest`, before the body is read or the
 * parameters validated: an anonymous caller learns nothing, not even which parameters
 * are wrong (api/README.md: only health, the docs and the sign-in answer without
 * credentials). Unknown, revoked, expired and malformed tokens get the same 401.
 */
export function authPlugin(fastify: FastifyInstance, opts: { userCacheMs: number }): void {
  const cache = new UserCache(opts.userCacheMs);
  fastify.decorate('forgetToken', (token: string) => cache.evict(hashToken(token)));
  fastify.decorateRequest('user', null);
  fastify.decorateRequest('auditParams', null);

  async function resolve(credential: string | null): Promise<AuthUser | null> {
    if (!credential || !looksLikeToken(credential)) return null;
    const hash = hashToken(credential);
    const cached = cache.get(hash);
    if (cached) return cached;
    const user = await userByTokenHash(fastify.wh.db, hash);
    if (user) cache.set(hash, user);
    return user;
  }

  fastify.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === 'public' || !isApiRequest(request.url)) return;
    const user = await resolve(credentialOf(request));
    if (!user) throw unauthorized();
    request.user = user;
    if (access && !allows(access, user)) throw forbidden();
  });
}

/** The signed-in user of a route behind the auth hook. */
export function userOf(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized();
  return request.user;
}
