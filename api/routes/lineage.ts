import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listBatches, listRejects } from '../../ingest/lineage';
import { AUTH_ERRORS, NoQuery, UuidSchema } from '../schemas/common';

const BatchSchema = z.strictObject({
  batch_id: z.string(), entity: z.string(), source_name: z.string(), file_sha256: z.string(),
  started_at: z.string(), finished_at: z.string().nullable(), status: z.string(),
  rows_read: z.number(), inserted: z.number(), updated: z.number(), unchanged: z.number(), rejected: z.number(),
  warnings: z.array(z.string()), error: z.string().nullable(),
}).meta({ id: 'Batch' });

const RejectSchema = z.strictObject({
  batch_id: z.string(),
  line: z.number(),
  errors: z.array(z.strictObject({ column: z.string(), value: z.string().nullable(), message: z.string() })),
  raw: z.record(z.string(), z.unknown()),
}).meta({ id: 'RejectedRow' });

const RejectsQuery = z.strictObject({
  batch: UuidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  offset: z.coerce.number().int().min(0).max(1e9).default(0),
});

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function cellErrors(v: unknown): { column: string; value: string | null; message: string }[] {
  if (!Array.isArray(v)) return [];
  return v.map((e: unknown) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    return { column: String(o.column ?? ''), value: o.value === null || o.value === undefined ? null : String(o.value), message: String(o.message ?? '') };
  });
}

/**
 * Lineage (docs/warehouse.md): the batches and the quarantined rows, as `iop batches` and
 * `iop rejects` print them. Rejected rows hold raw source values, so viewers cannot
 * read them (admin and analyst only).
 */
const lineageRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/batches', {
    config: { access: 'lineage' },
    schema: { tags: ['lineage'], summary: 'Ingest batches, oldest first', security, querystring: NoQuery, response: { 200: z.array(BatchSchema), ...AUTH_ERRORS } },
  }, async () => {
    const rows = await listBatches(fastify.wh.db);
    return rows.map((b) => ({ ...b, started_at: new Date(b.started_at).toISOString(), finished_at: iso(b.finished_at), warnings: strings(b.warnings) }));
  });

  fastify.get('/api/v1/rejects', {
    config: { access: 'lineage' },
    schema: { tags: ['lineage'], summary: 'Rejected rows with their errors (all batches, or ?batch=ID)', security, querystring: RejectsQuery, response: { 200: z.array(RejectSchema), ...AUTH_ERRORS } },
  }, async (request) => {
    const { batch, limit, offset } = request.query;
    const rows = await listRejects(fastify.wh.db, { batch: batch?.toLowerCase(), limit, offset });
    return rows.map((r) => ({ ...r, errors: cellErrors(r.errors), raw: typeof r.raw === 'object' && r.raw !== null && !Array.isArray(r.raw) ? r.raw : {} }));
  });
};
export default lineageRoutes;
