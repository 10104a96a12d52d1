import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createUser } from '../../api/auth/users';
import { fitAndStore } from '../../metrics/progress/current-fit';
import { ProgressAlertsResponseSchema, ProgressBandsResponseSchema, ProgressEpisodeResponseSchema } from '../../metrics/progress/schema';
import { useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';
import { AS_OF, seedProgram } from './seed';

/**
 * The dashboard's Progress fixtures (tests/fixtures/api/progress-*.json) are real API answers
 * on the seeded program with a real PHQ-9 fit (its date fixed), as the Compare fixtures are:
 * this test fails when a fixture no longer equals what the API sends. `UPDATE_FIXTURES=1`
 * rewrites them (then review the chart snapshots).
 */
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
let clinician: string;
const dir = path.join(import.meta.dirname, '../fixtures/api');

beforeAll(async () => {
  const db = t.wh.db;
  await seedProgram(db);
  await db.insertInto('clinicians').values([{ clinician_id: 'c1', name: 'Clinician c1' }, { clinician_id: 'c2', name: 'Clinician c2' }]).execute();
  await sql`update episodes set clinician_id = case when substr(episode_id, 2)::int % 2 = 0 then 'c1' else 'c2' end`.execute(db);
  // Some open episodes get worse: a score at day 35, 7 points above baseline (PHQ-9 RC is 6).
  await sql`insert into assessments (patient_id, episode_id, instrument, administered_on, total_score)
    select e.patient_id, e.episode_id, 'PHQ-9', e.admitted_on + 35, least(27, a.total_score + 7)
    from episodes e join assessments a on a.episode_id = e.episode_id and a.administered_on = e.admitted_on and a.instrument = 'PHQ-9'
    where e.discharged_on is null and substr(e.episode_id, 2)::int % 8 = 0 and e.admitted_on + 35 <= ${AS_OF}::date`.execute(db);
  await fitAndStore(db, 'PHQ-9', 'log', true);
  await sql`update progress_fits set fitted_at = '2025-12-31T02:00:00Z'`.execute(db);
  users = await createTestUsers(t.wh);
  clinician = (await createUser(db, { username: 'cleo', role: 'clinician', tracks: null, clinician_id: 'c1', password: null })).token;
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const FIXTURES = [
  { file: 'progress-bands.json', url: '/api/v1/progress/bands?instrument=PHQ-9', schema: ProgressBandsResponseSchema, as: 'analyst' },
  { file: 'progress-bands-viewer.json', url: '/api/v1/progress/bands?instrument=PHQ-9', schema: ProgressBandsResponseSchema, as: 'viewer' },
  { file: 'progress-alerts.json', url: `/api/v1/progress/alerts?instrument=PHQ-9&as_of=${AS_OF}`, schema: ProgressAlertsResponseSchema, as: 'clinician' },
  { file: 'progress-episode.json', url: `/api/v1/progress/episodes/E0000?instrument=PHQ-9&as_of=${AS_OF}`, schema: ProgressEpisodeResponseSchema, as: 'clinician' },
] as const;

describe('the Progress fixtures of the dashboard tests', () => {
  for (const f of FIXTURES) {
    it(`${f.file} is what the API answers to ${f.url} (${f.as})`, async () => {
      const token = f.as === 'clinician' ? clinician : users[f.as];
      const res = await app.inject({ url: f.url, headers: bearer(token) });
      expect(res.statusCode, res.body.slice(0, 400)).toBe(200);
      const body = f.schema.parse(res.json());
      const file = path.join(dir, f.file);
      if (process.env.UPDATE_FIXTURES === '1') writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(body);
    });
  }
});
