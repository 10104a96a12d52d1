import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { AdjustedComparisonSchema, EquityComparisonSchema } from '../../metrics/compare/schema';
import { useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';
import { AS_OF, seedProgram } from './seed';

/**
 * The dashboard's Compare fixtures (tests/fixtures/api/compare-*.json) are real API answers on the
 * seeded program, not hand-written bodies: this test asks the API again and fails when a fixture
 * no longer equals what it sends. `UPDATE_FIXTURES=1` rewrites them (then review the chart snapshots).
 */
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
const dir = path.join(import.meta.dirname, '../fixtures/api');

/** Caseloads of unequal size: c1 the largest, c6 below the min cell, and some episodes naming no clinician. */
const CLINICIAN_BY_SLOT = ['c1', 'c1', 'c1', 'c1', 'c1', 'c1', 'c2', 'c2', 'c2', 'c2', 'c3', 'c3', 'c3', 'c4', 'c4', 'c5', 'c5', 'c6', null];

beforeAll(async () => {
  await seedProgram(t.wh.db);
  await t.wh.db.insertInto('clinicians').values(['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((id) => ({ clinician_id: id, name: `Clinician ${id}` }))).execute();
  for (const [slot, clinician] of CLINICIAN_BY_SLOT.entries()) {
    if (clinician === null) continue;
    await sql`update episodes set clinician_id = ${clinician} where substr(episode_id, 2)::int % ${CLINICIAN_BY_SLOT.length} = ${slot}`.execute(t.wh.db);
  }
  // Race as in tests/api/compare.test.ts (three known races of unequal size, and some unknown); ethnicity on every third patient, so that both groups have discharged episodes.
  await sql`update patients set race = case when substr(patient_id, 2)::int % 5 = 0 then null
    when substr(patient_id, 2)::int % 5 in (1, 2) then 'White' when substr(patient_id, 2)::int % 5 = 3 then 'Black' else 'Asian' end,
    ethnicity = case when substr(patient_id, 2)::int % 3 = 0 then 'Hispanic' else 'Not Hispanic' end`.execute(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const FIXTURES = [
  { file: 'compare-clinician.json', url: `/api/v1/compare/completion?as_of=${AS_OF}&by=clinician&adjust_for=age,sex&min_cell=3`, schema: AdjustedComparisonSchema },
  { file: 'compare-race.json', url: `/api/v1/compare/completion?as_of=${AS_OF}&by=race&min_cell=5`, schema: EquityComparisonSchema },
  { file: 'compare-ethnicity.json', url: `/api/v1/compare/completion?as_of=${AS_OF}&by=ethnicity&min_cell=5`, schema: EquityComparisonSchema },
] as const;

describe('the Compare fixtures of the dashboard tests', () => {
  for (const f of FIXTURES) {
    it(`${f.file} is what the API answers to ${f.url}`, async () => {
      const res = await app.inject({ url: f.url, headers: bearer(users.analyst) });
      expect(res.statusCode, res.body.slice(0, 400)).toBe(200);
      const body = f.schema.parse(res.json());
      const file = path.join(dir, f.file);
      if (process.env.UPDATE_FIXTURES === '1') writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(body);
    });
  }
});
