import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { roundToBase } from '../../metrics/disclosure';
import { todayUtc } from '../../metrics/filters';
import { episodeHeader, progressAlerts, progressBands, progressEpisode } from '../../metrics/progress/alerts';
import { currentFit, type CurrentFit } from '../../metrics/progress/current-fit';
import { ProgressModelError } from '../../metrics/progress/model';
import {
  ProgressAlertsQuerySchema, ProgressAlertsResponseSchema, ProgressBandsQuerySchema, ProgressBandsResponseSchema,
  ProgressEpisodeParamsSchema, ProgressEpisodeQuerySchema, ProgressEpisodeResponseSchema,
} from '../../metrics/progress/schema';
import { mayReadEpisode, needsDisclosureControl, scopeProgressRequest } from '../auth/scope';
import { HttpError } from '../errors';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS, ErrorSchema } from '../schemas/common';

/** The instrument's current fit; an unknown instrument is 400, data that cannot be fitted 422. */
async function fitFor(fastify: Parameters<FastifyPluginAsyncZod>[0], instrument: string): Promise<CurrentFit> {
  try {
    return await currentFit(fastify.wh.db, instrument);
  } catch (e) {
    if (e instanceof ProgressModelError) {
      throw e.kind === 'usage'
        ? new HttpError(400, e.message, [{ param: 'instrument', value: instrument, message: e.message }])
        : new HttpError(422, e.message, [{ param: 'instrument', value: instrument, message: e.message }]);
    }
    throw e;
  }
}

/**
 * Expected recovery (docs/progress.md): the bands (every role; an aggregate, with
 * disclosure control below analyst), the not-on-track list and one episode against its
 * band (admin, analyst, and a clinician for its own caseload; never viewers). The audit
 * plugin records every request; the routes add how many episodes they returned.
 */
const progressRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/progress/bands', {
    schema: {
      tags: ['progress'],
      summary: 'Expected recovery: the predicted mean and 80% tolerance limits per baseline band and week',
      description: 'From the latest stored fit of the instrument (fitted and stored on demand when none is). Limits are clipped to the score range. For roles below analyst, a band of fewer episodes than the min cell is left out and counts are rounded to base 5.',
      security: [{ bearer: [] }, { session: [] }],
      querystring: ProgressBandsQuerySchema,
      response: { 200: ProgressBandsResponseSchema, ...AUTH_ERRORS, 422: ErrorSchema },
    },
    config: { access: 'read' },
  }, async (request) => {
    const user = userOf(request);
    const fit = await fitFor(fastify, request.query.instrument);
    return progressBands(fit, needsDisclosureControl(user.role) ? { minCell: fastify.config.minCell, round: roundToBase } : null);
  });

  fastify.get('/api/v1/progress/alerts', {
    schema: {
      tags: ['progress'],
      summary: 'Not-on-track episodes: open episodes whose latest score is outside their band\'s 80% limit or reliably worse than baseline',
      description: 'As `iop progress alerts` (docs/progress.md "Alerts"). Admin and analyst see every episode in their tracks; a clinician sees only its own caseload; viewers are refused.',
      security: [{ bearer: [] }, { session: [] }],
      querystring: ProgressAlertsQuerySchema,
      response: { 200: ProgressAlertsResponseSchema, ...AUTH_ERRORS, 422: ErrorSchema },
    },
    config: { access: 'episodes' },
  }, async (request) => {
    const user = userOf(request);
    const q = request.query;
    const scope = scopeProgressRequest(user, { track: q.track ?? null, clinician: q.clinician ?? null });
    const fit = await fitFor(fastify, q.instrument);
    const answer = await progressAlerts(fastify.wh.db, fit, { instrument: q.instrument, as_of: q.as_of ?? todayUtc(), ...scope });
    request.auditParams = { episodes: answer.alerts.length };
    return answer;
  });

  fastify.get('/api/v1/progress/episodes/:id', {
    schema: {
      tags: ['progress'],
      summary: 'One episode\'s scores against its expected band, with the RC threshold',
      description: 'As `iop progress episode <id>` (docs/progress.md "The episode view"). 404 when the episode is not in the warehouse or not in the caller\'s scope (a clinician\'s caseload, a user\'s tracks).',
      security: [{ bearer: [] }, { session: [] }],
      params: ProgressEpisodeParamsSchema,
      querystring: ProgressEpisodeQuerySchema,
      response: { 200: ProgressEpisodeResponseSchema, ...AUTH_ERRORS, 404: ErrorSchema, 422: ErrorSchema },
    },
    config: { access: 'episodes' },
  }, async (request) => {
    const user = userOf(request);
    const id = request.params.id;
    const header = await episodeHeader(fastify.wh.db, id);
    if (!header || !mayReadEpisode(user, header)) throw new HttpError(404, `No episode ${id} in your scope`, [{ param: 'id', value: id, message: 'no such episode in your scope' }]);
    const fit = await fitFor(fastify, request.query.instrument);
    const answer = await progressEpisode(fastify.wh.db, fit, header, request.query.as_of ?? todayUtc());
    request.auditParams = { scores: answer.scores.length };
    return answer;
  });
};
export default progressRoutes;
