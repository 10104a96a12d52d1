import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS, NoQuery } from '../schemas/common';
import { InstrumentSchema, TrackSchema } from '../schemas/catalog';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** The dimensions the dashboard builds its filters from: tracks (scoped) and instruments. */
const catalogRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/tracks', {
    schema: { tags: ['catalog'], summary: 'Program tracks (a scoped user sees only its own)', security, querystring: NoQuery, response: { 200: z.array(TrackSchema), ...AUTH_ERRORS } },
  }, async (request) => {
    const user = userOf(request);
    let q = fastify.wh.db.selectFrom('tracks').select(['track_code', 'name', 'level_of_care', 'active']).orderBy('track_code');
    if (user.tracks !== null) q = q.where('track_code', 'in', user.tracks.length > 0 ? [...user.tracks] : ['']);
    return q.execute();
  });

  fastify.get('/api/v1/instruments', {
    schema: { tags: ['catalog'], summary: 'Instruments and their change thresholds (METRICS.md)', security, querystring: NoQuery, response: { 200: z.array(InstrumentSchema), ...AUTH_ERRORS } },
  }, async () =>
    fastify.wh.db.selectFrom('instruments')
      .select(['code', 'name', 'loinc', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability', 'norm_sd', 'clinical_cutoff', 'remission_below'])
      .orderBy('code')
      .execute(),
  );
};
export default catalogRoutes;
