import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { verifyPassword } from '../auth/password';
import { createSession, loginCandidate, revokeSession } from '../auth/users';
import { HttpError } from '../errors';
import { credentialOf, SESSION_COOKIE, userOf } from '../plugins/auth';
import { AUTH_ERRORS, ErrorSchema, MeSchema, NoQuery } from '../schemas/common';

// PostgreSQL cannot compare text holding NUL (it answered 500); no username or password has one.
const noNul = (s: string) => !s.includes('\u0000');
const LoginSchema = z.strictObject({
  username: z.string().min(1).max(64).refine(noNul, 'must not contain NUL'),
  password: z.string().min(1).max(1024).refine(noNul, 'must not contain NUL'),
});

export interface SessionOptions {
  /** Session lifetime (default 8 h: one working shift). */
  ttlSeconds: number;
  /** Sign-in attempts per IP per minute: slows password guessing (OWASP ASVS 2.2.1). */
  loginPerMinute: number;
}

function secureCookie(request: FastifyRequest): boolean {
  const setting = request.server.config.cookieSecure;
  return setting === 'auto' ? request.protocol === 'https' : setting === 'true';
}

function clearCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie(request) });
}

/**
 * Dashboard sign-in (api/README.md): `POST /api/v1/session` checks the scrypt hash and
 * sets an HttpOnly, SameSite=Strict cookie holding a session token (stored hashed, like
 * API tokens). Unknown user, disabled user and wrong password get the same 401 after
 * the same scrypt work, so the answer does not reveal which usernames exist.
 */
const sessionRoutes: FastifyPluginAsyncZod<SessionOptions> = async (fastify, opts) => {
  fastify.post('/api/v1/session', {
    config: { access: 'public', rateLimit: { max: opts.loginPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Sign in (sets the session cookie)', querystring: NoQuery, body: LoginSchema,
      response: { 200: MeSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    request.auditParams = { username };
    const candidate = await loginCandidate(fastify.wh.db, username);
    const ok = await verifyPassword(password, candidate?.passwordHash ?? null);
    if (!candidate || !ok) throw new HttpError(401, 'Wrong username or password');
    request.user = candidate.user;
    const token = await createSession(fastify.wh.db, candidate.user.username, opts.ttlSeconds);
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie(request), maxAge: opts.ttlSeconds,
    });
    const { user } = candidate;
    return { username: user.username, role: user.role, tracks: user.tracks === null ? null : [...user.tracks], sites: user.sites === null ? null : [...user.sites] };
  });

  fastify.delete('/api/v1/session', {
    schema: { tags: ['auth'], summary: 'Sign out (revokes the session)', security: [{ session: [] }], querystring: NoQuery, response: { 204: z.null(), ...AUTH_ERRORS } },
  }, async (request, reply) => {
    userOf(request);
    const credential = credentialOf(request);
    if (credential) {
      await revokeSession(fastify.wh.db, credential);
      fastify.forgetToken(credential);
    }
    clearCookie(request, reply);
    return reply.code(204).send(null);
  });
};
export default sessionRoutes;
