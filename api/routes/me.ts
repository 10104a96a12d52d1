import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS, MeSchema, NoQuery } from '../schemas/common';

/** `GET /api/v1/me`: who the dashboard is signed in as, and its track scope. */
const meRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/me', {
    schema: { tags: ['auth'], summary: 'The signed-in user', security: [{ bearer: [] }, { session: [] }], querystring: NoQuery, response: { 200: MeSchema, ...AUTH_ERRORS } },
  }, async (request) => {
    const user = userOf(request);
    return { username: user.username, role: user.role, tracks: user.tracks === null ? null : [...user.tracks], sites: user.sites === null ? null : [...user.sites], ...(user.clinician_id ? { clinician_id: user.clinician_id } : {}) };
  });
};
export default meRoutes;
