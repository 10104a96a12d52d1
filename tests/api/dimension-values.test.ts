import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { listDimensionValues } from '../../metrics/dimension-values';
import { useTestDatabase } from '../harness/database';
import { seedProgram } from './seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

// GET /api/v1/dimension-values (api/README.md; metrics/dimension-values.ts): the recorded
// race, ethnicity and substance values the dashboard suggests in its filters. A value is
// listed only when at least min_cell (11 here) episodes the user may see carry it, so the
// list never tells that a rare value exists; values come as the filters match them.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  await seedProgram(t.wh.db);
  // Day episodes are E0000–E0039 (patients P0000–P0039), evening E0040–E0069, weekend E0070–E0074.
  const race = async (from: number, to: number, value: string) => sql`update patients set race = ${value}
    where patient_id between ${`P${String(from).padStart(4, '0')}`} and ${`P${String(to).padStart(4, '0')}`}`.execute(t.wh.db);
  await race(0, 19, 'White'); // 20 day
  await race(20, 34, ' Black or African American'); // 15 day, stored with a stray space
  await race(35, 39, 'Asian'); // 5 day …
  await race(40, 45, 'ASIAN'); // … and 6 evening: 11 in all, in two cases
  // 13 evening episodes of a substance name the substance filter cannot take as it is.
  await sql`update episodes set primary_substance = 'crack (smoked)' where episode_id between 'E0046' and 'E0058'`.execute(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const get = async (token: string) => {
  const res = await app.inject({ url: '/api/v1/dimension-values', headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Record<string, unknown>;
};

describe('GET /api/v1/dimension-values', () => {
  it('lists each value carried by at least min_cell episodes, lower-cased and trimmed as the filters match it', async () => {
    // race: white 20, black 15, asian 5 + 6 = 11, unknown 75 − 46 = 29.
    expect(await get(users.analyst)).toEqual({
      min_cell: 11,
      race: ['asian', 'black or african american', 'unknown', 'white'],
      ethnicity: ['unknown'],
      substance: ['alcohol', 'opioids'],
    });
  });

  it('counts only the episodes in the user\'s scope: a value at 11 overall but 5 in the day track is not listed to a day viewer', async () => {
    const day = await get(users.viewer);
    expect(day.race).toEqual(['black or african american', 'white']);
    // Day and evening together: asian 11 again, and the 15 evening episodes without a race.
    expect((await get(users.viewer2)).race).toEqual(['asian', 'black or african american', 'unknown', 'white']);
  });

  it('leaves out a value the filter would refuse as it is (the substance filter takes letters, digits and _ . - / + only)', async () => {
    expect((await get(users.analyst)).substance).not.toContain('crack (smoked)');
  });

  it('limits a clinician to its own caseload, where no value reaches min_cell', async () => {
    await sql`update episodes set clinician_id = null`.execute(t.wh.db);
    await sql`insert into clinicians (clinician_id, name) values ('c9', 'Rosalind') on conflict do nothing`.execute(t.wh.db);
    await sql`update episodes set clinician_id = 'c9' where episode_id between 'E0000' and 'E0011'`.execute(t.wh.db);
    const scope = { tracks: null, sites: null, clinician: 'c9' };
    // E0000–E0011: 12 white patients, 12 episodes of which 4 opioids and 8 alcohol.
    expect(await listDimensionValues(t.wh.db, scope, 11)).toEqual({ min_cell: 11, race: ['white'], ethnicity: ['unknown'], substance: [] });
    expect(await listDimensionValues(t.wh.db, scope, 13)).toEqual({ min_cell: 13, race: [], ethnicity: [], substance: [] });
  });

  it('is read by every role, and only signed in', async () => {
    for (const token of [users.admin, users.analyst, users.viewer]) await get(token);
    expect((await app.inject({ url: '/api/v1/dimension-values' })).statusCode).toBe(401);
  });
});
