import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recentRuns } from '../../ingest/jobs/job-runs';
import { AUTH_ERRORS } from '../schemas/common';

const JobRunSchema = z.strictObject({
  run_id: z.string(), source: z.string(), started_at: z.string(), finished_at: z.string().nullable(),
  batches: z.number(), status: z.enum(['running', 'succeeded', 'failed', 'interrupted']), error: z.string().nullable(),
}).meta({ id: 'JobRun' });

const JobsQuery = z.strictObject({
  source: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

/** Ingest job runs (issue 7: `job_runs`), newest first, as `iop jobs list` shows them. Admin and analyst only, like the lineage. */
const jobRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/jobs', {
    config: { access: 'lineage' },
    schema: { tags: ['lineage'], summary: 'Ingest job runs, newest first (?source=NAME, ?limit=N)', security, querystring: JobsQuery, response: { 200: z.array(JobRunSchema), ...AUTH_ERRORS } },
  }, async (request) => {
    const { source, limit } = request.query;
    const rows = await recentRuns(fastify.wh.db, limit, source);
    return rows.map((r) => ({ ...r, status: JobRunSchema.shape.status.parse(r.status), started_at: new Date(r.started_at).toISOString(), finished_at: iso(r.finished_at) }));
  });
};
export default jobRoutes;
