import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  computeComparison, parseCompare, protectComparison, ComparisonResponseSchema, COMPARE_OUTCOMES,
} from '../../metrics/compare/index';
import { CompareQuerySchema } from '../../metrics/compare/request';
import { MetricFilterError } from '../../metrics/index';
import { scopeFilters } from '../auth/scope';
import { HttpError } from '../errors';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS } from '../schemas/common';

/**
 * `GET /api/v1/compare/{outcome}` (docs/comparisons.md): the body of `iop compare
 * <outcome> --format json`. A viewer sees only its tracks (the model is fitted on them
 * alone, so nothing outside its scope enters a coefficient), at the configured min cell,
 * with dates snapped to whole months and the answer protected by
 * metrics/compare/protect.ts.
 */
const compareRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/compare/:outcome', {
    schema: {
      tags: ['metrics'],
      summary: 'Case-mix adjusted O/E by unit with funnel limits, or rates and ratios by race or ethnicity',
      description: 'Flags as in `iop compare` (docs/comparisons.md). `by` = track (adjusted: logistic model, O/E, funnel limits) or race | ethnicity (equity: rates and Katz ratios to the largest group). Viewers see only their tracks at the configured min_cell; for roles below analyst the dates snap to whole months, counts round to base 5 and the model table is coarsened (`definition.disclosure`).',
      security: [{ bearer: [] }, { session: [] }],
      params: z.strictObject({ outcome: z.enum(COMPARE_OUTCOMES) }),
      querystring: CompareQuerySchema,
      response: { 200: ComparisonResponseSchema, ...AUTH_ERRORS },
    },
  }, async (request) => {
    const user = userOf(request);
    const parsed = parseCompare(request.params.outcome, request.query);
    if (!parsed.ok) throw new HttpError(400, parsed.error.error, parsed.error.details);
    const req = parsed.request;
    const { filters, minCell, disclosure } = scopeFilters(user, req.filters, fastify.config.minCell);
    try {
      const response = await computeComparison(fastify.wh.db, { ...req, filters }, minCell);
      return disclosure ? protectComparison(response) : response;
    } catch (e) {
      if (e instanceof MetricFilterError) throw new HttpError(400, e.body.error, e.body.details);
      throw e;
    }
  });
};
export default compareRoutes;
