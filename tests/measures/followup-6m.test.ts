import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMeasureRequest } from '../../metrics/measures/request';
import { runMeasure } from '../../metrics/measures/run';
import type { MeasureGroup, MeasureResponse } from '../../metrics/measures/schema';
import { useTestDatabase } from '../harness/database';

// followup-6m (docs/funder-reporting.md "Six-month follow-up"): one hand-built patient per
// label and window edge. Windows are [addMonths(intake, 5), addMonths(intake, 8)] with
// PostgreSQL's clamping of the 31st; each edge case fails if the boundary moves by a day.
const t = useTestDatabase();

interface Case {
  id: string;
  intake: string;
  interviews?: [type: string, on: string, status: string][];
  discharge?: [on: string, reason: string];
  want: string;
}

const CASES: Case[] = [
  // Intake 2025-01-15: window [2025-06-15, 2025-09-15].
  { id: 'at_5_months', intake: '2025-01-15', interviews: [['followup_6m', '2025-06-15', 'completed']], want: 'completed' },
  { id: 'at_8_months', intake: '2025-01-15', interviews: [['followup_6m', '2025-09-15', 'completed']], want: 'completed' },
  { id: 'day_before_window', intake: '2025-01-15', interviews: [['followup_6m', '2025-06-14', 'completed']], want: 'no_record' },
  { id: 'day_after_window', intake: '2025-01-15', interviews: [['followup_6m', '2025-09-16', 'completed']], want: 'no_record' },
  { id: 'other_type_in_window', intake: '2025-01-15', interviews: [['other', '2025-07-15', 'completed']], want: 'no_record' },
  // Intake 2025-08-31: 8 months clamps to 2026-04-30 (April has 30 days).
  { id: 'clamp_end_in', intake: '2025-08-31', interviews: [['followup_6m', '2026-04-30', 'completed']], want: 'completed' },
  { id: 'clamp_end_out', intake: '2025-08-31', interviews: [['followup_6m', '2026-05-01', 'completed']], want: 'no_record' },
  // Intake 2025-09-30: 5 months clamps to 2026-02-28.
  { id: 'clamp_start_in', intake: '2025-09-30', interviews: [['followup_6m', '2026-02-28', 'completed']], want: 'completed' },
  { id: 'clamp_start_out', intake: '2025-09-30', interviews: [['followup_6m', '2026-02-27', 'completed']], want: 'no_record' },
  // Intake 2025-10-30: window ends 2026-06-30 = as_of: closed, so no longer open.
  { id: 'closes_on_as_of', intake: '2025-10-30', want: 'no_record' },
  // Intake 2025-10-31: 8 months clamps to 2026-06-30 as well.
  { id: 'clamp_closes_on_as_of', intake: '2025-10-31', want: 'no_record' },
  // Intake 2025-11-01: window ends 2026-07-01, after as_of 2026-06-30.
  { id: 'open', intake: '2025-11-01', want: 'window_open' },
  { id: 'open_but_completed', intake: '2025-11-01', interviews: [['followup_6m', '2026-04-01', 'completed']], want: 'completed' },
  { id: 'open_refused_so_far', intake: '2025-11-01', interviews: [['followup_6m', '2026-04-01', 'refused']], want: 'window_open' },
  { id: 'refused', intake: '2025-01-15', interviews: [['followup_6m', '2025-07-01', 'refused']], want: 'refused' },
  { id: 'refused_outside', intake: '2025-01-15', interviews: [['followup_6m', '2025-06-14', 'refused']], want: 'no_record' },
  { id: 'not_located', intake: '2025-01-15', interviews: [['followup_6m', '2025-07-01', 'not_located']], want: 'not_located' },
  { id: 'refused_before_not_located', intake: '2025-01-15', interviews: [['followup_6m', '2025-07-01', 'not_located'], ['followup_6m', '2025-08-01', 'refused']], want: 'refused' },
  { id: 'refused_then_completed', intake: '2025-01-15', interviews: [['followup_6m', '2025-07-01', 'refused'], ['followup_6m', '2025-08-01', 'completed']], want: 'completed' },
  { id: 'deceased_at_window_end', intake: '2025-01-15', interviews: [['followup_6m', '2025-09-15', 'deceased']], want: 'excluded' },
  { id: 'deceased_after_window', intake: '2025-01-15', interviews: [['followup_6m', '2025-07-01', 'completed'], ['other', '2025-09-16', 'deceased']], want: 'completed' },
  { id: 'deceased_beats_completed', intake: '2025-01-15', interviews: [['followup_6m', '2025-07-01', 'completed'], ['other', '2025-08-01', 'deceased']], want: 'excluded' },
  { id: 'died_discharge', intake: '2025-01-15', discharge: ['2025-03-01', 'died'], interviews: [['followup_6m', '2025-07-01', 'refused']], want: 'excluded' },
  { id: 'deceased_while_open', intake: '2025-11-01', interviews: [['other', '2026-03-01', 'deceased']], want: 'excluded' },
  // Interviews after as_of are not yet known.
  { id: 'after_as_of', intake: '2025-10-30', interviews: [['followup_6m', '2026-06-30', 'completed']], want: 'completed' },
];

async function seed(): Promise<void> {
  await sql`insert into tracks (track_code, name) values ('day', 'Day IOP')`.execute(t.wh.db);
  for (const c of CASES) {
    await sql`insert into patients (patient_id, birth_year) values (${`P_${c.id}`}, 1980)`.execute(t.wh.db);
    await sql`insert into episodes (episode_id, patient_id, track_code, admitted_on, discharged_on, discharge_reason)
      values (${`E_${c.id}`}, ${`P_${c.id}`}, 'day', ${c.intake}, ${c.discharge?.[0] ?? null}, ${c.discharge?.[1] ?? null})`.execute(t.wh.db);
    const rows: [string, string, string][] = [['intake', c.intake, 'completed'], ...(c.interviews ?? [])];
    for (const [type, on, status] of rows) {
      await sql`insert into followups (patient_id, interview_type, interviewed_on, status, episode_id)
        values (${`P_${c.id}`}, ${type}, ${on}, ${status}, ${`E_${c.id}`})`.execute(t.wh.db);
    }
  }
  // Not in the initial population: an intake that was refused, and an episode without an intake.
  await sql`insert into patients (patient_id) values ('P_no_intake'), ('P_refused_intake')`.execute(t.wh.db);
  await sql`insert into episodes (episode_id, patient_id, track_code, admitted_on) values
    ('E_no_intake', 'P_no_intake', 'day', '2025-01-15'), ('E_refused_intake', 'P_refused_intake', 'day', '2025-01-15')`.execute(t.wh.db);
  await sql`insert into followups (patient_id, interview_type, interviewed_on, status, episode_id)
    values ('P_refused_intake', 'intake', '2025-01-15', 'refused', 'E_refused_intake')`.execute(t.wh.db);
}

beforeAll(seed);

export async function measure(name: string, raw: Record<string, unknown>, minCell = 0): Promise<MeasureResponse> {
  const parsed = parseMeasureRequest(name, raw);
  if (!parsed.ok) throw new Error(parsed.error.error);
  return runMeasure(t.wh.db, parsed.request.spec, parsed.request.ctx, { minCell, rows: true });
}

describe('followup-6m labels and windows', () => {
  it.each(CASES.filter((c) => c.id !== 'after_as_of'))('$id → $want', async (c) => {
    const r = await measure('followup-6m', { as_of: '2026-06-30' });
    const row = r.rows?.find((x) => x.episode_id === `E_${c.id}`);
    expect(row?.label).toBe(c.want);
  });

  it('does not see an interview dated after as_of, and counts a window ending on as_of as closed', async () => {
    const before = await measure('followup-6m', { as_of: '2026-06-29' });
    expect(before.rows?.find((x) => x.episode_id === 'E_after_as_of')?.label).toBe('window_open');
    expect(before.rows?.find((x) => x.episode_id === 'E_closes_on_as_of')?.label).toBe('window_open');
    const on = await measure('followup-6m', { as_of: '2026-06-30' });
    expect(on.rows?.find((x) => x.episode_id === 'E_after_as_of')?.label).toBe('completed');
  });

  it('reports the window (PostgreSQL month arithmetic) and the follow-up date in the rows', async () => {
    const r = await measure('followup-6m', { as_of: '2026-06-30' });
    const byId = new Map(r.rows?.map((x) => [x.episode_id, x]));
    expect(byId.get('E_clamp_end_in')).toMatchObject({ index_date: '2025-08-31', window: ['2026-01-31', '2026-04-30'], score_date: '2026-04-30' });
    expect(byId.get('E_clamp_start_in')).toMatchObject({ index_date: '2025-09-30', window: ['2026-02-28', '2026-05-30'] });
    expect(byId.get('E_at_5_months')).toMatchObject({ window: ['2025-06-15', '2025-09-15'], score_date: '2025-06-15' });
  });

  it('leaves out episodes without a completed intake', async () => {
    const r = await measure('followup-6m', { as_of: '2026-06-30' });
    const ids = r.rows?.map((x) => x.episode_id) ?? [];
    expect(ids).not.toContain('E_no_intake');
    expect(ids).not.toContain('E_refused_intake');
    expect(ids).toHaveLength(CASES.length);
  });

  it('counts the denominator without exclusions and open windows, and carries the 0.80 target', async () => {
    const r = await measure('followup-6m', { as_of: '2026-06-30' });
    const g = r.groups[0] as MeasureGroup;
    const want = (label: string) => CASES.filter((c) => c.want === label).length;
    expect(g.labels).toEqual({
      excluded: want('excluded'), completed: want('completed'), window_open: want('window_open'),
      refused: want('refused'), not_located: want('not_located'), no_record: want('no_record'),
    });
    expect(g.initial_population).toBe(CASES.length);
    expect(g.denominator).toBe(CASES.length - want('excluded') - want('window_open'));
    expect(g.numerator).toBe(want('completed'));
    expect(r.definition).toMatchObject({ target_rate: 0.8, window_months: { from: 5, to: 8 }, source: 'SAMHSA GPRA six-month follow-up' });
  });

  it('withholds small label counts for roles below analyst', async () => {
    const r = await measure('followup-6m', { as_of: '2026-06-30' }, 11);
    const g = r.groups[0] as MeasureGroup;
    expect(g.initial_population).toBe(CASES.length);
    expect(g.labels.refused).toBeNull();
    expect(g.suppressed).toContain('labels.refused');
  });
});
