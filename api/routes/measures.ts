import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MetricFilterError } from '../../metrics/index';
import { computeMeasure, MEASURE_NAMES, MeasureQuerySchema, MeasureResponseSchema, parseMeasureRequest } from '../../metrics/measures/index';
import { measureReport } from '../../metrics/measures/fhir';
import { measureCsv } from '../../metrics/measures/format';
import { protectMeasure } from '../../metrics/measures/protect';
import { scopeFilters } from '../auth/scope';
import { forbidden, HttpError } from '../errors';
import { userOf } from '../plugins/auth';
import { sendSerialized } from '../send';
import { AUTH_ERRORS } from '../schemas/common';

/** The roles that may read the per-episode rows of a measure (docs/measures.md "Rows"). */
const ROW_ROLES: readonly string[] = ['admin', 'analyst'];

/**
 * `GET /api/v1/measures/{name}` (docs/measures.md): the body of `iop measures <name>
 * --format json`, byte for byte. The filters go through the CLI's own parser, then the
 * access rules of every aggregate route (scopeFilters: tracks, sites, min cell, month
 * snapping); roles below analyst get the counts rounded (metrics/measures/protect.ts).
 * `rows=true` is for admins and analysts only (403 otherwise); the audit plugin records
 * the request with the number of rows read.
 */
const measureRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/measures/:name', {
    schema: {
      tags: ['metrics'],
      summary: 'A standard measure (depression remission and response, …) with its labels, rates and strata',
      description: 'Filters as in `iop measures` (docs/measures.md); from/to select episodes by their index date. `rows=true` (admin and analyst only, audited) adds one row per episode of the initial population; `format=csv` answers text/csv, `format=fhir` a FHIR R4 MeasureReport. Viewers see only their tracks at the configured min_cell, with dates snapped to whole months and counts rounded to base 5 (`definition.disclosure`).',
      security: [{ bearer: [] }, { session: [] }],
      // A string, so that an unknown or not yet available name gets the parser's message (400 with the list).
      params: z.strictObject({ name: z.string().describe(`one of ${MEASURE_NAMES.join(', ')}`) }),
      querystring: MeasureQuerySchema,
      response: { 200: MeasureResponseSchema, ...AUTH_ERRORS },
    },
  }, async (request, reply) => {
    const user = userOf(request);
    const parsed = parseMeasureRequest(request.params.name, request.query as Record<string, unknown>);
    if (!parsed.ok) throw new HttpError(400, parsed.error.error, parsed.error.details);
    const req = parsed.request;
    if (req.rows && !ROW_ROLES.includes(user.role)) throw forbidden('Only admins and analysts may read the rows of a measure');
    const { filters, minCell, disclosure } = scopeFilters(user, req.ctx.filters, fastify.config.minCell);
    let response;
    try {
      response = await computeMeasure(fastify.wh.db, { ...req, ctx: { ...req.ctx, filters } }, minCell);
    } catch (e) {
      if (e instanceof MetricFilterError) throw new HttpError(400, e.body.error, e.body.details);
      throw e;
    }
    if (response.rows) request.auditParams = { ...(request.auditParams ?? {}), rows_read: response.rows.length };
    const body = disclosure ? protectMeasure(response) : response;
    if (req.format === 'csv') {
      return sendSerialized(reply as FastifyReply, 'text/csv; charset=utf-8', measureCsv(body, req.spec.labels), `iop-${req.spec.name}-${filters.as_of}.csv`);
    }
    if (req.format === 'fhir') {
      return sendSerialized(reply as FastifyReply, 'application/fhir+json; charset=utf-8', JSON.stringify(measureReport(body)));
    }
    return sendSerialized(reply as FastifyReply, 'application/json; charset=utf-8', JSON.stringify(body));
  });
};
export default measureRoutes;
