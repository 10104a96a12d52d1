import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeMeasure, parseMeasureRequest } from '../../metrics/measures/index';
import { useTestDatabase } from '../harness/database';

// Property (docs/measures.md "Labels"): over generated cohorts, every episode of the
// initial population gets exactly one label, and in every group (by track, by age band)
// and every age stratum the label counts sum to the group's initial population, for
// each depression measure, grouping and as_of.
const t = useTestDatabase();

const TRACKS = ['a', 'b', 'c'];
const CODES = ['F32.1', 'F33.0', 'F34.1', 'F31.9', 'F20.9', 'F41.1', 'F84.0', 'F60.3'];

const episodeArb = fc.record({
  track: fc.constantFrom(...TRACKS),
  birth: fc.option(fc.integer({ min: 1940, max: 2016 }), { nil: null }),
  admittedDay: fc.integer({ min: 0, max: 700 }),
  indexOffset: fc.integer({ min: -20, max: 12 }),
  index: fc.integer({ min: 0, max: 27 }),
  dx: fc.subarray(CODES, { maxLength: 3 }),
  died: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
  later: fc.array(fc.record({ day: fc.integer({ min: 0, max: 520 }), score: fc.integer({ min: 0, max: 27 }) }), { maxLength: 4 }),
});

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  await t.wh.db.insertInto('tracks').values(TRACKS.map((c) => ({ track_code: c, name: c, level_of_care: 'iop' }))).execute();
});

describe('labels sum to the initial population (fast-check)', () => {
  it('holds in every group and stratum', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(episodeArb, { minLength: 1, maxLength: 40 }),
      fc.constantFrom('dep-rem-6', 'dep-rem-12', 'dep-resp-6'),
      fc.constantFrom('track', 'age_band'),
      fc.integer({ min: 100, max: 1100 }),
      fc.boolean(),
      async (cohort, name, groupBy, asOfDay, anyDiagnosis) => {
        await sql`truncate assessments, episodes, patients cascade`.execute(t.wh.db);
        for (const [i, c] of cohort.entries()) {
          const admitted = addDays('2024-01-01', c.admittedDay);
          await t.wh.db.insertInto('patients').values({ patient_id: `P${i}`, birth_year: c.birth }).execute();
          await t.wh.db.insertInto('episodes').values({
            episode_id: `E${i}`, patient_id: `P${i}`, track_code: c.track, admitted_on: admitted,
            discharged_on: c.died === null ? null : addDays(admitted, c.died), discharge_reason: c.died === null ? null : 'died',
            diagnoses: c.dx.length ? c.dx : null,
          }).execute();
          const index = addDays(admitted, c.indexOffset);
          const scores = new Map([[index, { score: c.index, episode: `E${i}` as string | null }]]);
          for (const l of c.later) if (!scores.has(addDays(index, l.day))) scores.set(addDays(index, l.day), { score: l.score, episode: null });
          await t.wh.db.insertInto('assessments').values([...scores].map(([on, s]) => ({
            patient_id: `P${i}`, instrument: 'PHQ-9', administered_on: on, total_score: s.score, episode_id: s.episode,
          }))).execute();
        }
        const asOf = addDays('2024-01-01', asOfDay);
        const parsed = parseMeasureRequest(name, { as_of: asOf, group_by: groupBy, min_cell: '0', rows: true, any_diagnosis: anyDiagnosis });
        if (!parsed.ok) throw new Error(parsed.error.error);
        const r = await computeMeasure(t.wh.db, parsed.request, 0);
        const rows = r.rows ?? [];
        expect(new Set(rows.map((x) => x.episode_id)).size).toBe(rows.length);
        let total = 0;
        for (const g of r.groups) {
          if (!('initial_population' in g)) throw new Error('suppressed at min_cell 0');
          expect(Object.values(g.labels).reduce<number>((s, v) => s + (v ?? 0), 0)).toBe(g.initial_population);
          expect(g.denominator).toBe(g.initial_population - (g.exclusions ?? 0) - (g.window_open ?? 0));
          total += g.initial_population;
        }
        expect(total).toBe(rows.length);
        let strata = 0;
        for (const g of r.strata) {
          if (!('initial_population' in g)) throw new Error('suppressed at min_cell 0');
          expect(Object.values(g.labels).reduce<number>((s, v) => s + (v ?? 0), 0)).toBe(g.initial_population);
          strata += g.initial_population;
        }
        expect(strata).toBe(rows.length);
      },
    ), { numRuns: 40, seed: 2026 });
  });
});
