import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MetricFilterError } from '../../metrics/index';
import { computeMeasure, MEASURES, type MeasureName } from '../../metrics/measures/index';
import { protectMeasure } from '../../metrics/measures/protect';
import { ListFilterShape, MetricFiltersSchema, type MetricFilters } from '../../metrics/filters';
import type { MetricName, MetricResponse } from '../../metrics/types';
import { scopedMetricRequest } from '../auth/scope';
import { metricBody } from '../cache/cached-metric';
import { HttpError } from '../errors';
import { userOf } from '../plugins/auth';
import { sendSerialized } from '../send';
import { renderReportCsv } from '../report/csv';
import { gatherReport, protectReport } from '../report/gather';
import { reportFigures } from '../report/figures';
import { renderReportHtml } from '../report/html';
import { AUTH_ERRORS } from '../schemas/common';

const ReportQuery = MetricFiltersSchema.pick({ track: true, from: true, to: true, as_of: true, min_cell: true }).extend({
  ...ListFilterShape,
  format: z.enum(['html', 'csv']).default('html'),
});

/**
 * `GET /api/v1/report?format=html|csv` (api/README.md): every metric by track with its
 * definition, the as-of date, the suppression rule and data completeness. Scope and
 * suppression are those of the metric endpoints, and the numbers come from the same
 * cached responses (rounded and month-snapped for roles below analyst, as there).
 */
const reportRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/report', {
    schema: {
      tags: ['metrics'],
      summary: 'Printable program-effectiveness report (HTML, or long CSV)',
      security: [{ bearer: [] }, { session: [] }],
      querystring: ReportQuery,
      produces: ['text/html', 'text/csv'],
      response: { 200: z.string().describe('text/html or text/csv'), ...AUTH_ERRORS },
    },
  }, async (request, reply) => {
    const user = userOf(request);
    const { format, ...raw } = request.query;
    const { filters, minCell, disclosure } = scopedMetricRequest(user, raw, fastify.config.minCell);
    const metric = async (name: MetricName, f: MetricFilters) =>
      JSON.parse(await metricBody(fastify.metricCache, fastify.wh.db, name, f, minCell, disclosure)) as MetricResponse;
    const measure = async (name: MeasureName, f: MetricFilters) => {
      const spec = MEASURES[name];
      if (!spec) throw new Error(`measure ${name} is not registered`);
      const response = await computeMeasure(fastify.wh.db, { spec, ctx: { filters: f, options: { any_diagnosis: false, holidays: [] } }, rows: false, format: 'json' }, minCell);
      return disclosure ? protectMeasure(response) : response;
    };
    let data;
    try {
      data = await gatherReport(fastify.wh.db, filters, minCell, metric, measure);
      if (disclosure) data = protectReport(data);
    } catch (e) {
      if (e instanceof MetricFilterError) throw new HttpError(400, e.body.error, e.body.details);
      throw e;
    }
    if (format === 'csv') {
      return sendSerialized(reply as FastifyReply, 'text/csv; charset=utf-8', renderReportCsv(data), `iop-report-${data.as_of}.csv`);
    }
    const figures = data.overview ? await reportFigures(data.overview, data.tracks) : [];
    return sendSerialized(reply as FastifyReply, 'text/html; charset=utf-8', renderReportHtml(data, figures));
  });
};
export default reportRoutes;
