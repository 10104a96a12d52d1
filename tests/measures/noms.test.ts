import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { discloseNomsDomain, nomsDomain } from '../../metrics/measures/noms';
import { protectMeasure } from '../../metrics/measures/protect';
import { parseMeasureRequest } from '../../metrics/measures/request';
import { runMeasure } from '../../metrics/measures/run';
import type { MeasureGroup } from '../../metrics/measures/schema';
import { exactMcNemar } from '../../metrics/stats/mcnemar';
import { useTestDatabase } from '../harness/database';

// noms (docs/funder-reporting.md "NOMs"): 16 hand-built intake/follow-up pairs, each
// domain with answers missing on one side, plus one non-pair (a refusal) that must not count.
const t = useTestDatabase();

type Answers = [days: number | null, employed: boolean | null, housed: boolean | null, arrested: boolean | null, connected: boolean | null];

function pair(i: number): { intake: Answers; followup: Answers } {
  // abstinent: 0–9 improve, 10–11 worsen, 12–13 stay abstinent, 14 lacks the follow-up answer, 15 the intake answer.
  const daysIn = i < 10 ? 5 : i === 15 ? null : 0;
  const daysOut = i < 10 ? 0 : i < 12 ? 3 : i === 14 ? null : 0;
  // employed: even employed at intake, everyone at follow-up but 15 (no answer).
  // housing: always housed; 0 lacks the follow-up answer, 1 the intake one.
  // arrests: 0–2 arrested before intake, no one at follow-up.
  return {
    intake: [daysIn, i % 2 === 0, i === 1 ? null : true, i < 3, null],
    followup: [daysOut, i === 15 ? null : true, i === 0 ? null : true, false, null],
  };
}

beforeAll(async () => {
  const db = t.wh.db;
  await sql`insert into tracks (track_code, name) values ('day', 'Day IOP')`.execute(db);
  const insert = async (p: string, type: string, on: string, status: string, a: Answers | null) => {
    await sql`insert into followups (patient_id, interview_type, interviewed_on, status, episode_id,
        days_used_past_30, employed_or_in_school, stable_housing, arrested_past_30, socially_connected)
      values (${p}, ${type}, ${on}, ${status}, ${`E${p}`}, ${a?.[0] ?? null}, ${a?.[1] ?? null}, ${a?.[2] ?? null}, ${a?.[3] ?? null}, ${a?.[4] ?? null})`.execute(db);
  };
  for (let i = 0; i < 17; i++) {
    const p = `P${i}`;
    await sql`insert into patients (patient_id, birth_year) values (${p}, 1980)`.execute(db);
    await sql`insert into episodes (episode_id, patient_id, track_code, admitted_on) values (${`E${p}`}, ${p}, 'day', '2025-01-15')`.execute(db);
    if (i === 16) {
      // Not a pair: the follow-up was refused.
      await insert(p, 'intake', '2025-01-15', 'completed', [0, true, true, false, true]);
      await insert(p, 'followup_6m', '2025-07-15', 'refused', null);
      continue;
    }
    const { intake, followup } = pair(i);
    await insert(p, 'intake', '2025-01-15', 'completed', intake);
    await insert(p, 'followup_6m', '2025-07-15', 'completed', followup);
  }
});

async function domains(minCell: number): Promise<Record<string, Record<string, unknown>>> {
  const parsed = parseMeasureRequest('noms', { as_of: '2026-06-30' });
  if (!parsed.ok) throw new Error(parsed.error.error);
  const r = await runMeasure(t.wh.db, parsed.request.spec, parsed.request.ctx, { minCell, rows: false });
  const g = r.groups[0] as MeasureGroup;
  if (minCell === 0) expect(g.labels).toMatchObject({ completed: 16, refused: 1 });
  return (g.statistics as { domains: Record<string, Record<string, unknown>> }).domains;
}

describe('the exact McNemar test', () => {
  // R 4.3: binom.test(2, 12)$p.value = 0.03857422 (= 2 × 79/4096: P(X ≤ 2) for n = 12 is (1 + 12 + 66) / 2^12);
  // binom.test(7, 7) = 0.015625 (2 × 0.5^7); binom.test(0, 3) = 0.25; binom.test(5, 10) = 1.
  it('equals binom.test(b, b + c) at 0.5, computed exactly', () => {
    expect(exactMcNemar(2, 10)).toBeCloseTo((2 * 79) / 4096, 12);
    expect(exactMcNemar(10, 2)).toBeCloseTo(0.03857422, 8);
    expect(exactMcNemar(7, 0)).toBeCloseTo(2 / 2 ** 7, 12);
    expect(exactMcNemar(0, 3)).toBeCloseTo(0.25, 12);
    expect(exactMcNemar(5, 5)).toBe(1);
    expect(exactMcNemar(0, 0)).toBeNull();
  });
});

describe('noms domains', () => {
  it('counts the pairs with both answers and tests the discordant ones (analyst view)', async () => {
    const d = await domains(0);
    // 14 pairs with both answers: 4 abstinent at intake (10–13), 12 at follow-up; 10 improved, 2 worsened.
    expect(d.abstinent).toMatchObject({
      n: 14, intake_positive: 4, followup_positive: 12, intake_pct: 28.6, followup_pct: 85.7, improved: 10, worsened: 2, suppressed: [],
    });
    // SAMHSA percent change: (12/14 − 4/14) / (4/14) × 100 = 200.
    expect(d.abstinent?.percent_change).toBe(200);
    expect(d.abstinent?.p_value as number).toBeCloseTo(0.03857422, 8);
    // 15 pairs (15 lacks the follow-up answer): 8 employed at intake, 15 at follow-up: +87.5%, binom.test(7, 7).
    expect(d.employed_or_in_school).toMatchObject({ n: 15, intake_positive: 8, followup_positive: 15, percent_change: 87.5, improved: 7, worsened: 0 });
    expect(d.employed_or_in_school?.p_value as number).toBeCloseTo(0.015625, 12);
    // 14 pairs (0 and 1 lack one side), all housed both times: no change, no discordant pairs, no test.
    expect(d.stable_housing).toMatchObject({ n: 14, intake_pct: 100, followup_pct: 100, percent_change: 0, improved: 0, worsened: 0, p_value: null });
    // No arrests: 13 of 16 at intake, 16 at follow-up; binom.test(3, 3) = 0.25.
    expect(d.no_arrests).toMatchObject({ n: 16, intake_positive: 13, followup_positive: 16, improved: 3, worsened: 0, p_value: 0.25 });
    // No one answered: n = 0, no percentages.
    expect(d.socially_connected).toMatchObject({ n: 0, intake_pct: null, followup_pct: null, percent_change: null, p_value: null });
  });

  it('withholds counts of 1–10, their complements and what is computed from them, for roles below analyst', async () => {
    const d = await domains(11);
    // abstinent: 4 positive at intake (small), 2 negative at follow-up (small complement), 10 and 2 discordant.
    expect(d.abstinent).toMatchObject({ n: 14, intake_positive: null, followup_positive: null, intake_pct: null, followup_pct: null, percent_change: null, improved: null, worsened: null, p_value: null });
    expect(d.abstinent?.suppressed).toEqual(expect.arrayContaining(['intake_positive', 'followup_positive', 'improved', 'worsened', 'intake_pct', 'followup_pct', 'percent_change', 'p_value']));
    // housing: 14 of 14 both times, nothing small (0 is not withheld).
    expect(d.stable_housing).toMatchObject({ n: 14, intake_positive: 14, followup_positive: 14, suppressed: [] });
    // no arrests: 13 of 16 leaves 3 arrested, a small complement.
    expect(d.no_arrests).toMatchObject({ n: 16, intake_positive: null, followup_positive: 16, improved: null, p_value: null });
  });

  it('hides a whole domain when its n is small', () => {
    const d = nomsDomain({ n: 6, intake_positive: 0, followup_positive: 6, improved: 6, worsened: 0 }, 11);
    expect(d).toMatchObject({ n: null, intake_positive: null, followup_positive: null, intake_pct: null, followup_pct: null, p_value: null });
  });
});

describe('noms for roles below analyst (base-5 rounding)', () => {
  it('rounds every count on its own, recomputes the percentages from them and withholds the exact test', () => {
    const d = discloseNomsDomain(nomsDomain({ n: 193, intake_positive: 51, followup_positive: 113, improved: 72, worsened: 12 }, 11));
    // 193 → 195, 51 → 50, 113 → 115: 50/195 = 25.6%, 115/195 = 59.0%, change (59.0 − 25.6) / 25.6 = 130.5%.
    expect(d).toMatchObject({ n: 195, intake_positive: 50, followup_positive: 115, intake_pct: 25.6, followup_pct: 59, percent_change: 130.5, improved: 70, worsened: 10, p_value: null });
  });

  it('is applied by protectMeasure to every group of a noms response', async () => {
    const parsed = parseMeasureRequest('noms', { as_of: '2026-06-30' });
    if (!parsed.ok) throw new Error(parsed.error.error);
    const exact = await runMeasure(t.wh.db, parsed.request.spec, parsed.request.ctx, { minCell: 11, rows: false });
    const viewer = protectMeasure(exact);
    const domains = ((viewer.groups[0] as MeasureGroup).statistics as { domains: Record<string, Record<string, unknown>> }).domains;
    expect(domains.abstinent).toMatchObject({ n: 15, p_value: null });
    expect(domains.no_arrests).toMatchObject({ n: 15, followup_positive: 15 });
  });
});
