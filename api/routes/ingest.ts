import fs from 'node:fs';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { FileError } from '../../ingest/csv-source';
import { ENTITIES, ENTITY_NAMES } from '../../ingest/entities';
import { ingestCsv } from '../../ingest/loader';
import { parseProfile, ProfileError, type Profile } from '../../ingest/profile';
import { HttpError, badRequest } from '../errors';
import { spoolBody, type BodyLimits } from '../ingest-body';
import { userOf } from '../plugins/auth';
import { AUTH_ERRORS, ErrorSchema } from '../schemas/common';

const IngestSummarySchema = z.strictObject({
  batch_id: z.string(),
  entity: z.enum(ENTITY_NAMES),
  status: z.enum(['committed', 'duplicate']),
  rows_read: z.number(), inserted: z.number(), updated: z.number(), unchanged: z.number(), rejected: z.number(),
  errors: z.array(z.strictObject({ line: z.number(), column: z.string(), value: z.string().nullable(), message: z.string() })),
  warnings: z.array(z.string()),
}).meta({ id: 'IngestSummary' });

const IngestQuery = z.strictObject({
  source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._:/@()-]{0,199}$/, 'letters, digits, space and . _ : / @ ( ) - only, at most 200').optional()
    .describe('source name recorded in the lineage (default: api:<user>)'),
  profile: z.string().min(2).max(20_000).optional().describe('a header profile (docs/formats.md) as JSON'),
});

export type IngestOptions = BodyLimits;

function profileFrom(text: string | undefined, columns: readonly string[]): Profile | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('The profile parameter is not valid JSON', [{ param: 'profile', message: 'not valid JSON' }]);
  }
  try {
    return parseProfile(json, 'profile', columns);
  } catch (e) {
    if (e instanceof ProfileError) throw badRequest(e.message, [{ param: 'profile', message: e.message }]);
    throw e;
  }
}

/**
 * `POST /api/v1/ingest/{entity}` (admin only, api/README.md): the `text/csv` body is
 * received into a temporary file (never held in memory), then loaded from it by the
 * same loader as `iop ingest`, so the ingest lock is taken only once the whole body is
 * here; the answer is the same summary as `ingest --json`. A whole-file failure is 400,
 * an oversized body 413 and a stalled one 408, each with nothing applied.
 */
const ingestRoutes: FastifyPluginAsyncZod<IngestOptions> = async (fastify, opts) => {
  fastify.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  fastify.post('/api/v1/ingest/:entity', {
    config: { access: 'admin' },
    schema: {
      tags: ['admin'],
      summary: 'Ingest one canonical CSV file as one batch',
      description: 'Body: `text/csv` in the canonical format of docs/formats.md (a header profile may map other layouts). Rejected rows are reported, not fatal.',
      security: [{ bearer: [] }, { session: [] }],
      consumes: ['text/csv'],
      params: z.strictObject({ entity: z.enum(ENTITY_NAMES) }),
      querystring: IngestQuery,
      body: z.custom<Readable>((v) => v instanceof Readable, 'the body must be text/csv').describe('CSV file (text/csv)'),
      response: { 200: IngestSummarySchema, ...AUTH_ERRORS, 408: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema },
    },
  }, async (request, reply) => {
    const user = userOf(request);
    const { entity } = request.params;
    const profile = profileFrom(request.query.profile, ENTITIES[entity].columns);
    const upload = await spoolBody(request, request.body, reply, opts);
    try {
      const summary = await ingestCsv(fastify.wh, {
        entity,
        input: fs.createReadStream(upload.file),
        sourceName: request.query.source ?? `api:${user.username}`,
        profile,
        sha256: upload.sha256,
      });
      return summary;
    } catch (e) {
      if (e instanceof FileError || e instanceof ProfileError) throw new HttpError(400, `${e.message} (nothing was applied)`);
      throw e;
    } finally {
      upload.remove();
      // Whatever happened, a batch may have committed: no cached metric may outlive it.
      fastify.metricCache.invalidate();
    }
  });
};
export default ingestRoutes;
