import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseMeasureRequest } from '../../metrics/measures/request';
import { runMeasure } from '../../metrics/measures/run';
import { isMeasureGroup } from '../../metrics/measures/schema';
import { GROUP_BY } from '../../metrics/filters';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, addSessions, clearFacts, day, type EpisodeSpec } from '../metrics/fixtures';
import { prng } from '../metrics/model-cohort';

/**
 * Every episode of the initial population gets exactly one label (docs/measures.md): over
 * generated cohorts, in every group of every grouping, the labels sum to the initial
 * population, and the groups together hold one row per episode.
 */
const t = useTestDatabase();
const A = '2025-01-01';
const AS_OF = day(A, 200);

async function loadCohort(seed: number): Promise<void> {
  const db = t.wh.db;
  await clearFacts(db);
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const eps: EpisodeSpec[] = [];
  for (let i = 0; i < 40; i++) {
    const start = int(0, 215);
    const end = rand() < 0.5 ? start + int(0, 60) : null;
    const contact = rand() < 0.8 ? day(A, start - int(0, 25)) : null;
    eps.push({
      id: `p${i}`, track: pick(['day', 'eve']), admitted: day(A, start), firstContact: contact,
      discharged: end === null ? null : day(A, end), reason: end === null ? null : 'completed',
      substance: pick(['alcohol', 'none', '', null, 'opioids']), sex: pick(['female', 'male', null]), birthYear: pick([1980, 2008, null]),
    });
  }
  await addEpisodes(db, eps);
  for (const e of eps) {
    const base = Number(new Date(`${e.admitted}T00:00:00Z`).getTime() / 86_400_000) - Number(new Date(`${A}T00:00:00Z`).getTime() / 86_400_000);
    const days = [...new Set(Array.from({ length: int(0, 12) }, () => base + int(-3, 50)))];
    await addSessions(db, e.id, days.flatMap((d) => Array.from({ length: rand() < 0.2 ? 2 : 1 }, () => [day(A, d), pick(['attended', 'attended', 'no_show', 'cancelled'] as const)] as [string, 'attended' | 'no_show' | 'cancelled'])));
    await addScores(db, e.id, 'PHQ-9', [...new Set(Array.from({ length: int(0, 6) }, () => base + int(0, 50)))].map((d) => [day(A, d), int(0, 27)] as [string, number]));
    if (e.firstContact && rand() < 0.6) await sql`update episodes set evaluated_on = first_contact_on where episode_id = ${e.id}`.execute(db);
  }
}

/** The initial population, counted straight from the episodes as docs/measures.md defines it. */
async function population(name: string): Promise<number> {
  const where = {
    iet: sql`coalesce(lower(trim(primary_substance)), '') not in ('', 'none')`,
    'i-serv': sql`first_contact_on is not null`,
    niatx: sql`true`,
    mbc: sql`true`,
  }[name] ?? sql`false`;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from episodes where admitted_on <= ${AS_OF}::date and ${where}`.execute(t.wh.db);
  return rows[0]?.n ?? -1;
}

describe('iet, niatx, i-serv and mbc give every episode of the initial population exactly one label', () => {
  it('labels sum to the initial population in every group, for every grouping', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      await loadCohort(seed);
      for (const name of ['iet', 'niatx', 'i-serv', 'mbc']) {
        for (const group_by of GROUP_BY) {
          const parsed = parseMeasureRequest(name, { as_of: AS_OF, group_by, rows: true }, ['2025-03-14']);
          if (!parsed.ok) throw new Error(parsed.error.error);
          const r = await runMeasure(t.wh.db, parsed.request.spec, parsed.request.ctx, { minCell: 0, rows: true });
          let total = 0;
          for (const g of r.groups) {
            if (!isMeasureGroup(g)) throw new Error('suppressed at min_cell 0');
            expect(Object.values(g.labels).reduce<number>((s, v) => s + (v ?? 0), 0), `${name} ${group_by}`).toBe(g.initial_population);
            total += g.initial_population;
          }
          expect(total, `${name} ${group_by}`).toBe(r.rows?.length);
          expect(total, `${name} ${group_by}`).toBe(await population(name));
          expect(new Set(r.rows?.map((x) => x.episode_id)).size).toBe(r.rows?.length);
        }
      }
    }), { numRuns: 4 });
  }, 300_000);
});
