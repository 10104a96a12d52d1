import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DimensionValuesSchema, listDimensionValues } from '../../metrics/dimension-values';
import { listClinicians, listInstruments, listSites, listTracks } from '../../warehouse/catalog';
import { caseloadOf, effectiveMinCell } from '../auth/scope';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS, NoQuery } from '../schemas/common';
import { ClinicianSchema, InstrumentSchema, SiteSchema, TrackSchema } from '../schemas/catalog';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** The dimensions the dashboard builds its filters from: tracks, sites and clinicians (scoped), the recorded values of the free-text filters, and instruments. */
const catalogRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/tracks', {
    schema: { tags: ['catalog'], summary: 'Program tracks (a scoped user sees only its own)', security, querystring: NoQuery, response: { 200: z.array(TrackSchema), ...AUTH_ERRORS } },
  }, async (request) => listTracks(fastify.wh.db, userOf(request).tracks));

  fastify.get('/api/v1/sites', {
    schema: { tags: ['catalog'], summary: "Program sites (a site-scoped user sees its sites, a track-scoped user its tracks' sites)", security, querystring: NoQuery, response: { 200: z.array(SiteSchema), ...AUTH_ERRORS } },
  }, async (request) => listSites(fastify.wh.db, userOf(request)));

  fastify.get('/api/v1/clinicians', {
    schema: { tags: ['catalog'], summary: "Clinicians (a scoped user sees those of its sites or tracks)", security, querystring: NoQuery, response: { 200: z.array(ClinicianSchema), ...AUTH_ERRORS } },
  }, async (request) => listClinicians(fastify.wh.db, userOf(request)));

  fastify.get('/api/v1/dimension-values', {
    schema: {
      tags: ['catalog'],
      summary: 'Recorded race, ethnicity and substance values, each carried by at least min_cell episodes in scope (filter suggestions)',
      security, querystring: NoQuery, response: { 200: DimensionValuesSchema, ...AUTH_ERRORS },
    },
  }, async (request) => {
    const user = userOf(request);
    const clinician = caseloadOf(user).caseload ?? null;
    return listDimensionValues(fastify.wh.db, { tracks: user.tracks, sites: user.sites, clinician }, effectiveMinCell(user.role, null, fastify.config.minCell));
  });

  fastify.get('/api/v1/instruments', {
    schema: { tags: ['catalog'], summary: 'Instruments and their change thresholds (docs/metrics.md)', security, querystring: NoQuery, response: { 200: z.array(InstrumentSchema), ...AUTH_ERRORS } },
  }, async () => listInstruments(fastify.wh.db));
};
export default catalogRoutes;
