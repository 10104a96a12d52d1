import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SpcResponseSchema, type SpcResponse } from '../../metrics/spc/schema';
import { useTestDatabase } from '../harness/database';
import { ingestAll, iop, writeCsvs } from '../metrics/cli';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

/**
 * The discharge period basis of `iop spc` / `GET /api/v1/spc/{series}` (docs/metrics.md
 * "SPC charts: Period basis"), on a hand-built cohort ingested through the CLI. Track `day`,
 * every episode admitted on 2025-01-05, discharged (reason):
 * - 2025-02-28 (last day of February): completed ×2
 * - 2025-03-01 (first day of March): dropped_out ×1
 * - 2025-03-31 (last day of March): completed ×2, transferred ×1
 * - 2025-04-01 (first day of April): completed ×1, dropped_out ×3
 * - 2025-06-10: completed ×1, dropped_out ×1
 * - 2025-06-20 (after as_of 2025-06-15, so hidden then): completed ×1
 * - one episode still open.
 * By discharge month at as_of 2025-06-15, completion is February 2/2, March 2/4, April 1/4,
 * May 0/0 (a gap), and June, not yet ended, partial 1/2. A boundary moved by one day moves
 * an episode between February and March or March and April and changes those counts.
 */
const t = useTestDatabase();
const AS_OF = '2025-06-15';
let app: FastifyInstance;
let users: TestUsers;

const DISCHARGES: [string | null, string | null, number][] = [
  ['2025-02-28', 'completed', 2],
  ['2025-03-01', 'dropped_out', 1],
  ['2025-03-31', 'completed', 2],
  ['2025-03-31', 'transferred', 1],
  ['2025-04-01', 'completed', 1],
  ['2025-04-01', 'dropped_out', 3],
  ['2025-06-10', 'completed', 1],
  ['2025-06-10', 'dropped_out', 1],
  ['2025-06-20', 'completed', 1],
  [null, null, 1],
];

beforeAll(async () => {
  const patients: (string | number)[][] = [['patient_id', 'birth_year', 'sex']];
  const episodes: (string | null)[][] = [['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason']];
  let k = 0;
  for (const [day, reason, count] of DISCHARGES) {
    for (let j = 0; j < count; j++) {
      k += 1;
      patients.push([`P${k}`, 1980, 'female']);
      episodes.push([`E${k}`, `P${k}`, 'day', '2025-01-05', day, reason]);
    }
  }
  const files = writeCsvs({ tracks: [['track_code', 'name', 'level_of_care', 'active'], ['day', 'Day IOP', 'iop', 'true']], patients, episodes });
  ingestAll(t.url, files, ['tracks', 'patients', 'episodes']);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
}, 300_000);
afterAll(async () => app?.close());

async function chart(query: string, series = 'completion'): Promise<SpcResponse> {
  const res = await app.inject({ url: `/api/v1/spc/${series}?${query}`, headers: bearer(users.analyst) });
  expect(res.statusCode, res.body.slice(0, 400)).toBe(200);
  return SpcResponseSchema.parse(res.json());
}

const counts = (r: SpcResponse) => r.points.map((p) => [p.period, p.numerator, p.denominator]);

describe('period_basis=discharge groups episodes by the period of their discharge', () => {
  it('puts a discharge on the last day of a month in that month and one on the first day of the next in the next', async () => {
    const r = await chart(`as_of=${AS_OF}&min_cell=0&period_basis=discharge`);
    expect(counts(r)).toEqual([['2025-02', 2, 2], ['2025-03', 2, 4], ['2025-04', 1, 4], ['2025-05', 0, 0]]);
    expect(r.points.find((p) => p.period === '2025-05')?.value).toBeNull();
    expect(r.filters.period_basis).toBe('discharge');
    expect(r.definition).toMatchObject({ period_basis: 'discharge', period: expect.stringMatching(/^discharge period/), maturity: { horizon_days: 0, planned_weeks: null } });
    const text = r.definition.text as Record<string, string>;
    expect(text.series).toContain('discharge period');
    expect(text.maturity).toContain('known on the day of discharge');
  });

  it('counts positive discharges (completed or transferred) and lengths of stay the same way', async () => {
    const positive = await chart(`as_of=${AS_OF}&min_cell=0&period_basis=discharge`, 'positive-discharge');
    expect(counts(positive).slice(0, 3)).toEqual([['2025-02', 2, 2], ['2025-03', 3, 4], ['2025-04', 1, 4]]);
    // March: three stays of 85 days (2025-01-05 to 03-31) and one of 55 (to 03-01)
    const los = await chart(`as_of=${AS_OF}&min_cell=0&period_basis=discharge`, 'length-of-stay');
    expect(los.points.find((p) => p.period === '2025-03')).toMatchObject({ denominator: 4, value: 77.5 });
  });

  it('returns the current, not yet ended period as immature (partial) and never charts it', async () => {
    const r = await chart(`as_of=${AS_OF}&min_cell=0&period_basis=discharge`);
    // the 2025-06-20 discharge is after as_of: hidden
    expect(r.immature).toEqual([{ period: '2025-06', start: '2025-06-01', end: '2025-06-30', matures_on: '2025-06-30', numerator: 1, denominator: 2, value: 0.5, suppressed: false }]);
    expect(r.notes.join(' ')).toContain('partial');
    // on its last day June has ended: every closed period is mature, and the 20th's discharge counts
    const ended = await chart('as_of=2025-06-30&min_cell=0&period_basis=discharge');
    expect(ended.immature).toEqual([]);
    expect(ended.points.at(-1)).toMatchObject({ period: '2025-06', numerator: 2, denominator: 3 });
    expect((await chart('as_of=2025-06-29&min_cell=0&period_basis=discharge')).immature.map((p) => p.period)).toEqual(['2025-06']);
  });

  it('uses the same boundary for quarters: 2025-03-31 in Q1, 2025-04-01 in Q2 (partial on as_of)', async () => {
    const r = await chart(`as_of=${AS_OF}&min_cell=0&period_basis=discharge&period=quarter`);
    expect(counts(r)).toEqual([['2025-Q1', 4, 6]]);
    expect(r.immature.map((p) => [p.period, p.numerator, p.denominator])).toEqual([['2025-Q2', 2, 6]]);
  });

  it('bounds the discharge date, not the admission date, with from and to', async () => {
    const r = await chart(`as_of=${AS_OF}&min_cell=0&period_basis=discharge&from=2025-03-01&to=2025-04-30`);
    expect(counts(r)).toEqual([['2025-03', 2, 4], ['2025-04', 1, 4]]);
  });

  it('leaves the default admission basis as it was: one January point after the 114-day horizon', async () => {
    const r = await chart(`as_of=${AS_OF}&min_cell=0`);
    expect(counts(r)).toEqual([['2025-01', 6, 12]]);
    expect(r.filters).not.toHaveProperty('period_basis');
    expect(r.definition).not.toHaveProperty('period_basis');
    expect(r.definition.period).toMatch(/^admission period/);
  });
});

describe('a series without an outcome known at discharge refuses the discharge basis', () => {
  it.each(['attendance', 'no-show', 'engagement', 'remission', 'wait-days'])('%s: 400 naming period_basis', async (series) => {
    const res = await app.inject({ url: `/api/v1/spc/${series}?as_of=${AS_OF}&period_basis=discharge`, headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; details: { param: string; value: unknown }[] }>();
    expect(body.error).toContain(`series ${series} has no outcome known at discharge`);
    expect(body.details).toEqual([expect.objectContaining({ param: 'period_basis', value: 'discharge' })]);
  });

  it('an unknown basis is 400', async () => {
    const res = await app.inject({ url: '/api/v1/spc/completion?period_basis=transfer', headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('period_basis');
  });
});

describe('iop spc --period-basis', () => {
  it('prints the API body byte for byte with --format json', async () => {
    const res = await app.inject({ url: `/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0&period_basis=discharge`, headers: bearer(users.analyst) });
    const run = iop(t.url, ['spc', 'completion', '--as-of', AS_OF, '--min-cell', '0', '--period-basis', 'discharge']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd()).toBe(res.body);
  }, 60_000);

  it('says the basis in the table header', () => {
    const run = iop(t.url, ['spc', 'completion', '--as-of', AS_OF, '--min-cell', '0', '--period-basis', 'discharge', '--format', 'table']);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`completion p-chart by discharge period as of ${AS_OF} (min cell 0; target 0.377)`);
  }, 60_000);

  it('exits 64 with the reason for a series without a discharge outcome', () => {
    const run = iop(t.url, ['spc', 'attendance', '--as-of', AS_OF, '--period-basis', 'discharge']);
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('period_basis');
    expect(run.stderr).toContain('no outcome known at discharge');
  }, 60_000);
});
