import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ping } from '../../warehouse/db';

const HealthSchema = z.strictObject({ status: z.enum(['ok', 'unavailable']), database: z.enum(['ok', 'error']) });

/** `GET /api/health` (api/README.md): public; answers 503 when the warehouse does not. */
const healthRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/health', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Liveness and database check', response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (request, reply) => {
    try {
      await ping(fastify.wh.db);
      return { status: 'ok' as const, database: 'ok' as const };
    } catch (err) {
      request.log.error({ err }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'error' });
    }
  });
};
export default healthRoutes;
