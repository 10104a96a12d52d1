import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listInstruments, listTracks } from '../../warehouse/catalog';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS, NoQuery } from '../schemas/common';
import { InstrumentSchema, TrackSchema } from '../schemas/catalog';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** The dimensions the dashboard builds its filters from: tracks (scoped) and instruments. */
const catalogRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/tracks', {
    schema: { tags: ['catalog'], summary: 'Program tracks (a scoped user sees only its own)', security, querystring: NoQuery, response: { 200: z.array(TrackSchema), ...AUTH_ERRORS } },
  }, async (request) => listTracks(fastify.wh.db, userOf(request).tracks));

  fastify.get('/api/v1/instruments', {
    schema: { tags: ['catalog'], summary: 'Instruments and their change thresholds (docs/metrics.md)', security, querystring: NoQuery, response: { 200: z.array(InstrumentSchema), ...AUTH_ERRORS } },
  }, async () => listInstruments(fastify.wh.db));
};
export default catalogRoutes;
