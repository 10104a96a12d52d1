import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, daysBetween, generateAndParse, groupBy, rowsOf, type Cohort, type Row } from './cohort-files';

/**
 * SAMHSA TEDS-D 2004, intensive outpatient discharges by reason, Table 2.5
 * (tests/reference/published/teds_2004_iop_discharges.csv, N = 114,440): the generator's discharge mix
 * should land near these shares. Against-advice counts as dropped out and incarceration as other.
 */
const TEDS_2004_IOP = { completed: 37.7, transferred: 17.9, dropped_out: 23.2, terminated: 14.0, other: 7.2 };
const TEDS_CLASS: Record<string, keyof typeof TEDS_2004_IOP> = {
  completed: 'completed',
  transferred: 'transferred',
  dropped_out: 'dropped_out',
  against_advice: 'dropped_out',
  terminated: 'terminated',
  incarcerated: 'other',
  other: 'other',
};

const share = (part: number, whole: number): number => (100 * part) / whole;

describe('the synthetic cohort looks like a real IOP (N = 5000)', () => {
  let cohort: Cohort;
  let episodes: Row[];
  let sessionsByEpisode: Map<string, Row[]>;

  beforeAll(async () => {
    cohort = await generateAndParse(5000, 2026);
    episodes = rowsOf(cohort, 'episodes');
    sessionsByEpisode = groupBy(rowsOf(cohort, 'attendance'), (s) => s.episode_id ?? '');
  }, 60_000);
  afterAll(() => cohort.cleanup());

  it('discharges in TEDS-D 2004 IOP shares, within three points', () => {
    const discharged = episodes.filter((e) => e.discharge_reason);
    const counts = { completed: 0, transferred: 0, dropped_out: 0, terminated: 0, other: 0 };
    for (const e of discharged) counts[TEDS_CLASS[e.discharge_reason ?? ''] ?? 'other']++;
    for (const [reason, expected] of Object.entries(TEDS_2004_IOP)) {
      expect(Math.abs(share(counts[reason as keyof typeof counts], discharged.length) - expected), reason).toBeLessThan(3);
    }
  });

  it('leaves 5–10% of episodes open, some of them lost to follow-up for over 30 days', () => {
    const open = episodes.filter((e) => !e.discharged_on);
    expect(share(open.length, episodes.length)).toBeGreaterThan(5);
    expect(share(open.length, episodes.length)).toBeLessThan(10);
    const lost = open.filter((e) => {
      const attended = (sessionsByEpisode.get(e.episode_id ?? '') ?? []).filter((s) => s.status === 'attended');
      const last = attended.map((s) => s.session_date ?? '').sort().at(-1) ?? e.admitted_on ?? '';
      return daysBetween(last, AS_OF) > 30;
    });
    expect(lost.length).toBeGreaterThan(20);
  });

  it('concentrates dropout in the first three weeks', () => {
    const dropouts = episodes.filter((e) => e.discharge_reason === 'dropped_out' || e.discharge_reason === 'against_advice');
    const days = dropouts.map((e) => daysBetween(e.admitted_on ?? '', e.discharged_on ?? ''));
    expect(days.filter((d) => d <= 21).length / days.length).toBeGreaterThan(0.5);
    const closed = episodes.filter((e) => e.discharged_on);
    const atRisk = (from: number): number =>
      closed.filter((e) => daysBetween(e.admitted_on ?? '', e.discharged_on ?? '') >= from).length;
    const hazard = (from: number, to: number): number => days.filter((d) => d >= from && d < to).length / atRisk(from);
    expect(hazard(0, 21)).toBeGreaterThan(2 * hazard(35, 56));
  });

  it('loses more patients from the evening and men’s tracks than from PHP step-down and women’s', () => {
    const rate = (codes: string[]): number => {
      const closed = episodes.filter((e) => codes.includes(e.track_code ?? '') && e.discharged_on);
      const lost = closed.filter((e) => e.discharge_reason === 'dropped_out' || e.discharge_reason === 'against_advice');
      return lost.length / closed.length;
    };
    expect(rate(['evening', 'mens'])).toBeGreaterThan(rate(['php-step-down', 'womens']) + 0.05);
  });

  it('shows no-shows rising in the two weeks before a dropout', () => {
    const noShowRate = (rows: Row[]): number => {
      const counted = rows.filter((s) => s.status === 'attended' || s.status === 'no_show');
      return counted.filter((s) => s.status === 'no_show').length / counted.length;
    };
    const before: Row[] = [];
    const completers: Row[] = [];
    for (const e of episodes) {
      const rows = sessionsByEpisode.get(e.episode_id ?? '') ?? [];
      if (e.discharge_reason === 'completed') completers.push(...rows);
      if (e.discharge_reason !== 'dropped_out') continue;
      const last = rows.filter((s) => s.status === 'attended').map((s) => s.session_date ?? '').sort().at(-1) ?? '';
      before.push(...rows.filter((s) => (s.session_date ?? '') < last && daysBetween(s.session_date ?? '', last) <= 14));
    }
    expect(noShowRate(before)).toBeGreaterThan(noShowRate(completers) + 0.1);
    const statuses = new Set(rowsOf(cohort, 'attendance').map((s) => s.status));
    expect(statuses).toEqual(new Set(['attended', 'no_show', 'cancelled', 'excused']));
  });

  it('writes about 50 sessions, 10 assessments and 10 tests per episode', () => {
    const n = episodes.length;
    expect(rowsOf(cohort, 'attendance').length / n).toBeGreaterThan(40);
    expect(rowsOf(cohort, 'attendance').length / n).toBeLessThan(60);
    expect(rowsOf(cohort, 'assessments').length / n).toBeGreaterThan(7.5);
    expect(rowsOf(cohort, 'assessments').length / n).toBeLessThan(12.5);
    expect(rowsOf(cohort, 'abstinence').length / n).toBeGreaterThan(8);
    expect(rowsOf(cohort, 'abstinence').length / n).toBeLessThan(13);
  });

  it('starts PHQ-9 in the moderate-to-severe range and mostly improves, with some deterioration', () => {
    const phq = rowsOf(cohort, 'assessments').filter((r) => r.instrument === 'PHQ-9' && r.episode_id && r.total_score);
    const byEpisode = groupBy(phq, (r) => r.episode_id ?? '');
    const changes: number[] = [];
    const baselines: number[] = [];
    for (const rows of byEpisode.values()) {
      rows.sort((a, b) => (a.administered_on ?? '').localeCompare(b.administered_on ?? ''));
      const first = Number(rows[0]?.total_score);
      baselines.push(first);
      const lastRow = rows.at(-1);
      if (rows.length > 1 && daysBetween(rows[0]?.administered_on ?? '', lastRow?.administered_on ?? '') >= 28) {
        changes.push(Number(lastRow?.total_score) - first);
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(mean(baselines)).toBeGreaterThan(12);
    expect(mean(baselines)).toBeLessThan(18);
    expect(mean(changes)).toBeLessThan(-3);
    const worse = changes.filter((c) => c >= 5).length / changes.length;
    expect(worse).toBeGreaterThan(0.02);
    expect(worse).toBeLessThan(0.2);
  });

  it('screens with substance-matched tests and shows relapses after negatives in some episodes', () => {
    const substance = new Map(episodes.map((e) => [e.patient_id ?? '', e.primary_substance ?? '']));
    const tests = rowsOf(cohort, 'abstinence');
    for (const t of tests) {
      if (t.method === 'breath') expect(substance.get(t.patient_id ?? '')).toBe('alcohol');
      if (t.method === 'uds' && t.substance !== 'any') expect(t.substance).toBe(substance.get(t.patient_id ?? ''));
    }
    const byEpisode = groupBy(tests.filter((t) => t.episode_id && t.method === 'uds' && t.substance !== 'any'), (t) => t.episode_id ?? '');
    let relapsed = 0;
    for (const rows of byEpisode.values()) {
      rows.sort((a, b) => (a.collected_on ?? '').localeCompare(b.collected_on ?? ''));
      const firstNegative = rows.findIndex((t) => t.result === 'negative');
      if (firstNegative >= 0 && rows.slice(firstNegative).some((t) => t.result === 'positive' && t.prescribed !== 'true')) relapsed++;
    }
    expect(relapsed / byEpisode.size).toBeGreaterThan(0.1);
    expect(relapsed / byEpisode.size).toBeLessThan(0.6);
    const results = new Set(tests.map((t) => t.result));
    expect(results).toEqual(new Set(['negative', 'positive', 'refused', 'invalid', 'missed']));
    expect(tests.some((t) => t.prescribed === 'true')).toBe(true);
  });

  it('interviews most episodes at intake and follows up about 70% of closed windows six months later, answers improving', () => {
    const interviews = rowsOf(cohort, 'followups');
    const intakes = interviews.filter((r) => r.interview_type === 'intake');
    expect(intakes.length / episodes.length).toBeGreaterThan(0.85);
    expect(intakes.length / episodes.length).toBeLessThan(0.95);
    // Intakes whose eight-month window closed before as-of (243 days is below 8 months from any date).
    const closed = intakes.filter((r) => daysBetween(r.interviewed_on ?? '', AS_OF) > 250);
    const byPatient = groupBy(interviews.filter((r) => r.interview_type === 'followup_6m'), (r) => r.patient_id ?? '');
    const statusOf = (intake: Row): string => {
      const f = (byPatient.get(intake.patient_id ?? '') ?? []).find((r) => {
        const d = daysBetween(intake.interviewed_on ?? '', r.interviewed_on ?? '');
        return d >= 150 && d <= 243;
      });
      return f?.status ?? 'none';
    };
    const statuses = closed.map(statusOf);
    const rate = (s: string) => statuses.filter((x) => x === s).length / statuses.length;
    expect(rate('completed')).toBeGreaterThan(0.62);
    expect(rate('completed')).toBeLessThan(0.76);
    expect(rate('refused')).toBeGreaterThan(0.03);
    expect(rate('not_located')).toBeGreaterThan(0.08);
    expect(rate('deceased')).toBeGreaterThan(0.003);
    expect(rate('deceased')).toBeLessThan(0.04);
    const abstinent = (rows: Row[]) => rows.filter((r) => r.days_used_past_30 === '0').length / rows.filter((r) => r.days_used_past_30 !== '').length;
    const completed = interviews.filter((r) => r.interview_type === 'followup_6m' && r.status === 'completed');
    expect(abstinent(completed)).toBeGreaterThan(abstinent(intakes) + 0.1);
    for (const r of interviews.filter((x) => x.status !== 'completed')) expect(r.days_used_past_30).toBe('');
  });
});
