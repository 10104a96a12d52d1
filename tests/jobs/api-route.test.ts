import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import jobRoutes from '../../api/routes/jobs';
import { finishRun, startRun } from '../../ingest/jobs/job-runs';

// GET /api/v1/jobs (issue 7). The route alone on a bare fastify (auth is the app's
// plugin, tested with the app once the route is registered in api/app.ts).
const t = useTestDatabase();

describe('GET /api/v1/jobs', () => {
  it('lists job runs newest first, filtered by source', async () => {
    const a = await startRun(t.wh.db, 'ehr-drop');
    await finishRun(t.wh.db, a, 'succeeded', 3, null);
    const b = await startRun(t.wh.db, 'ehr-fhir');
    await finishRun(t.wh.db, b, 'failed', 0, 'GET … answered 401');
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.decorate('wh', t.wh);
    await app.register(jobRoutes);
    const all = await app.inject({ url: '/api/v1/jobs' });
    expect(all.statusCode).toBe(200);
    expect((all.json() as { source: string }[]).map((r) => r.source)).toEqual(['ehr-fhir', 'ehr-drop']);
    const one = await app.inject({ url: '/api/v1/jobs?source=ehr-drop' });
    expect(one.json()).toEqual([{ run_id: a, source: 'ehr-drop', started_at: expect.any(String), finished_at: expect.any(String), batches: 3, status: 'succeeded', error: null }]);
    await app.close();
  });
});
