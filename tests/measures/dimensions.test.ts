import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFilters } from '../../metrics/filters';
import { runMeasure } from '../../metrics/measures/run';
import type { MeasureSpec } from '../../metrics/measures/spec';
import { useTestDatabase } from '../harness/database';
import { addEpisodes } from '../metrics/fixtures';

// The measures take the list filters and two-way group_by of docs/metrics.md "Dimensions and
// filters" through the same scope module (metrics/sql/scope.ts) as the metrics; the age band
// is the age at the index date (docs/measures.md), and from/to apply to the index date.
const t = useTestDatabase();

/** A toy measure: index date = the first contact (else admission), label = completed or not. */
const spec: MeasureSpec = {
  name: 'dep-rem-6',
  source: 'test',
  labels: ['completed', 'other', 'excluded', 'window_open'],
  numerator: ['completed'],
  definition: () => ({}),
  labelled: () => sql`labelled as (
    select episode_id, coalesce(first_contact_on, admitted_on) as index_date, null::date as window_start, null::date as window_end,
      case when discharge_reason = 'completed' then 'completed' else 'other' end as label, null::date as score_date, null::numeric as score
    from measure_episodes)`,
};

beforeAll(async () => {
  // 30 episodes: sites north (i % 2 = 0) / south; race 'White' for i % 3 = 0, else 'Asian' (mixed case, as an old load may hold);
  // born 2007: aged 17 at an index date in 2024, 18 in 2025 (the first contact of the even ones lies in 2024).
  await addEpisodes(t.wh.db, Array.from({ length: 30 }, (_, i) => ({
    id: `M${i}`, admitted: '2025-01-10', birthYear: 2007, discharged: '2025-03-01', reason: i % 4 === 0 ? 'dropped_out' as const : 'completed' as const,
  })));
  await t.wh.db.insertInto('sites').values([{ site_code: 'north', name: 'North' }, { site_code: 'south', name: 'South' }]).execute();
  await sql`update episodes set site_code = case when substr(episode_id, 2)::int % 2 = 0 then 'north' else 'south' end,
    first_contact_on = case when substr(episode_id, 2)::int % 2 = 0 then date '2024-12-20' end`.execute(t.wh.db);
  await sql`update patients set race = case when substr(patient_id, 4)::int % 3 = 0 then 'White' else 'ASIAN' end`.execute(t.wh.db);
});

async function run(raw: Record<string, unknown>, minCell = 0) {
  const p = parseFilters({ as_of: '2025-06-30', ...raw });
  if (!p.ok) throw new Error(p.error.error);
  return runMeasure(t.wh.db, spec, { filters: p.filters, options: { any_diagnosis: false, holidays: [] } }, { minCell, rows: false });
}
const sizes = (r: Awaited<ReturnType<typeof run>>) => r.groups.map((g) => ({ key: g.key, n: 'initial_population' in g ? g.initial_population : null }));

describe('measures: list filters and two-way group_by', () => {
  it('filters by site and race (any case) through the shared scope', async () => {
    expect(sizes(await run({ site: 'north' }))).toEqual([{ key: { track: 'day' }, n: 15 }]);
    expect(sizes(await run({ race: 'white' }))).toEqual([{ key: { track: 'day' }, n: 10 }]);
    expect(sizes(await run({ site: 'south', race: 'Asian' }))).toEqual([{ key: { track: 'day' }, n: 10 }]);
  });

  it('takes the age band at the index date, for the filter and the grouping alike', async () => {
    // the north episodes' index date (first contact 2024-12-20) makes them 17: band <18; the south ones 18
    expect(sizes(await run({ age_band: '<18' }))).toEqual([{ key: { track: 'day' }, n: 15 }]);
    expect(sizes(await run({ group_by: 'age_band,site' }))).toEqual([
      { key: { age_band: '<18', site: 'north' }, n: 15 }, { key: { age_band: '18-25', site: 'south' }, n: 15 },
    ]);
  });

  it('groups two ways, and suppresses a lone small cell with its complement', async () => {
    const r = await run({ group_by: 'site,race' });
    expect(sizes(r)).toEqual([
      { key: { site: 'north', race: 'asian' }, n: 10 }, { key: { site: 'north', race: 'white' }, n: 5 },
      { key: { site: 'south', race: 'asian' }, n: 10 }, { key: { site: 'south', race: 'white' }, n: 5 },
    ]);
    expect(r.filters).toMatchObject({ group_by: ['site', 'race'] });
    // min cell 6: the 5s are small, one in each row and both in the white column; each row then needs a
    // second hidden cell: its asian cell (10), which balances the asian column too
    const s = await run({ group_by: 'site,race' }, 6);
    expect(s.groups.every((g) => g.suppressed[0] === 'all')).toBe(true);
  });
});
