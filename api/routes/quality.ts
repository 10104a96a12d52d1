import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MetricFiltersSchema, todayUtc } from '../../metrics/filters';
import { qualityReport, QualityReportSchema } from '../../ingest/quality-report';
import { AUTH_ERRORS } from '../schemas/common';

const QualityQuery = MetricFiltersSchema.pick({ as_of: true });

/** `GET /api/v1/quality`: the data-quality report (admin and analyst). */
const qualityRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/quality', {
    config: { access: 'lineage' },
    schema: { tags: ['lineage'], summary: 'Data-quality report: counts, rejects, unlinked rows, inactive episodes', security: [{ bearer: [] }, { session: [] }], querystring: QualityQuery, response: { 200: QualityReportSchema, ...AUTH_ERRORS } },
  }, async (request) => qualityReport(fastify.wh.db, request.query.as_of ?? todayUtc()));
};
export default qualityRoutes;
