import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { FAMILIES, MetricFilterError } from '../../metrics/index';
import { MetricFiltersSchema } from '../../metrics/filters';
import { toCsv } from '../../metrics/format';
import type { MetricResponse } from '../../metrics/types';
import { metricBody, metricCacheKey } from '../cache/cached-metric';
import { scopedMetricRequest } from '../auth/scope';
import { HttpError } from '../errors';
import { userOf } from '../plugins/auth';
import { sendSerialized } from '../send';
import { AUTH_ERRORS } from '../schemas/common';
import { METRIC_RESPONSE_SCHEMAS } from '../../metrics/response-schema';

const MetricQuerySchema = MetricFiltersSchema.extend({
  format: z.enum(['json', 'csv']).default('json').describe('json (docs/metrics.md) or csv (one row per group)'),
});

/**
 * `GET /api/v1/metrics/{name}` (api/README.md). The JSON body is `JSON.stringify` of the
 * metric response, the same bytes as `iop metrics <name> --format json`, so it is sent
 * pre-serialized (and cached that way); the tests hold every body to the declared
 * strict response schema. The filters go through the CLI's own schema and parser.
 */
const metricRoutes: FastifyPluginAsyncZod = async (fastify) => {
  // one route per registered family (metrics/families.ts), with its summary in the OpenAPI document
  for (const { name, summary } of Object.values(FAMILIES)) {
    fastify.get(`/api/v1/metrics/${name}`, {
      schema: {
        tags: ['metrics'],
        summary,
        description: 'Filters as in `iop metrics` (docs/cli.md). Viewers see only their tracks, always at the configured min_cell (any other value is replaced by it). For roles below analyst the dates are snapped to whole months and every count is rounded to base 5 (`definition.disclosure`; docs/metrics.md "Disclosure control"). `?format=csv` answers text/csv with one row per group.',
        security: [{ bearer: [] }, { session: [] }],
        querystring: MetricQuerySchema,
        response: { 200: METRIC_RESPONSE_SCHEMAS[name], ...AUTH_ERRORS },
      },
    }, async (request, reply) => {
      const user = userOf(request);
      const { format, ...raw } = request.query;
      const { filters, minCell, disclosure } = scopedMetricRequest(user, raw, fastify.config.minCell);
      let body: string;
      try {
        body = await metricBody(fastify.metricCache, fastify.wh.db, name, filters, minCell, disclosure);
      } catch (e) {
        if (e instanceof MetricFilterError) throw new HttpError(400, e.body.error, e.body.details);
        throw e;
      }
      if (format === 'csv') {
        const csv = await fastify.metricCache.get(metricCacheKey(name, filters, minCell, 'csv', disclosure), async () => toCsv(JSON.parse(body) as MetricResponse));
        return sendSerialized(reply as FastifyReply, 'text/csv; charset=utf-8', csv, `iop-${name}-${filters.as_of}.csv`);
      }
      return sendSerialized(reply as FastifyReply, 'application/json; charset=utf-8', body);
    });
  }
};
export default metricRoutes;
