import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MetricFilterError } from '../../metrics/index';
import { spcToCsv } from '../../metrics/spc/format';
import { computeSpc, parseSpcFilters, SPC_SERIES, SpcFiltersSchema, SpcResponseSchema, SpcSeriesError, type SpcResponse } from '../../metrics/spc/index';
import { scopeFilters } from '../auth/scope';
import { cacheKey } from '../cache/metric-cache';
import { HttpError } from '../errors';
import { userOf } from '../plugins/auth';
import { sendSerialized } from '../send';
import { AUTH_ERRORS } from '../schemas/common';

const SpcQuerySchema = SpcFiltersSchema.extend({
  format: z.enum(['json', 'csv']).default('json').describe('json (docs/metrics.md "SPC charts") or csv (one row per point, then the immature periods)'),
});

/**
 * `GET /api/v1/spc/{series}` (docs/metrics.md "SPC charts"): the chart of `iop spc <series>`, the same
 * bytes as `--format json`. Scope and suppression are the metric routes': the user's
 * tracks only (403 outside them), the configured min_cell for roles below analyst, and
 * for them month-snapped dates and counts rounded to base 5 before the chart is computed.
 */
const spcRoutes: FastifyPluginAsyncZod = async (fastify) => {
  for (const series of Object.values(SPC_SERIES)) {
    fastify.get(`/api/v1/spc/${series.name}`, {
      schema: {
        tags: ['spc'],
        summary: `${series.chart === 'p' ? 'p-chart' : 'I-chart'} of ${series.name} by ${series.atDischarge ? 'admission or discharge' : 'admission'} period, with Anhøj run rules, maturity and phases`,
        description: `Numerator: ${series.numerator}. Denominator: ${series.denominator}. Immature periods (${series.horizon === 'episode' ? 'planned length of treatment + grace days' : series.horizon.rule}) are listed apart, never charted. Filters as in \`iop spc\`; \`split\` repeats.`,
        security: [{ bearer: [] }, { session: [] }],
        querystring: SpcQuerySchema,
        response: { 200: SpcResponseSchema, ...AUTH_ERRORS },
      },
    }, async (request, reply) => {
      const user = userOf(request);
      const { format, ...raw } = request.query;
      const parsed = parseSpcFilters(raw);
      if (!parsed.ok) throw new HttpError(400, parsed.error.error, parsed.error.details);
      const scoped = scopeFilters(user, parsed.filters.metric, fastify.config.minCell);
      const { minCell, disclosure } = scoped;
      const filters = { ...parsed.filters, metric: scoped.filters };
      let body: string;
      try {
        body = await fastify.metricCache.get(cacheKey({ spc: series.name, filters, minCell, disclosure }), async () =>
          JSON.stringify(await computeSpc(fastify.wh.db, series.name, filters, { minCell, targets: fastify.config.spcTargets, disclosure })));
      } catch (e) {
        if (e instanceof MetricFilterError) throw new HttpError(400, e.body.error, e.body.details);
        if (e instanceof SpcSeriesError) throw new HttpError(400, e.message);
        throw e;
      }
      if (format === 'csv') {
        return sendSerialized(reply as FastifyReply, 'text/csv; charset=utf-8', spcToCsv(JSON.parse(body) as SpcResponse), `iop-spc-${series.name}-${filters.metric.as_of}.csv`);
      }
      return sendSerialized(reply as FastifyReply, 'application/json; charset=utf-8', body);
    });
  }
};
export default spcRoutes;
