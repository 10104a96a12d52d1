import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, daysBetween, generateAndParse, groupBy, rowsOf, type Cohort, type Row } from './cohort-files';

/**
 * docs/warehouse.md, episode linking: a row without episode_id belongs to the patient's episode whose
 * window [admitted − 14 d, (discharged or as-of) + 14 d] holds its date; the latest admission wins.
 */
function linkByDate(episodes: readonly Row[], date: string): string | null {
  const holding = episodes.filter(
    (e) => daysBetween(e.admitted_on ?? '', date) >= -14 && daysBetween(e.discharged_on || AS_OF, date) <= 14,
  );
  holding.sort((a, b) => (a.admitted_on ?? '').localeCompare(b.admitted_on ?? ''));
  return holding.at(-1)?.episode_id ?? null;
}

describe('the generated cohort is internally consistent', () => {
  let cohort: Cohort;
  let episodes: Map<string, Row>;
  let patients: Map<string, Row>;

  beforeAll(async () => {
    cohort = await generateAndParse(600, 11);
    episodes = new Map(rowsOf(cohort, 'episodes').map((e) => [e.episode_id ?? '', e]));
    patients = new Map(rowsOf(cohort, 'patients').map((p) => [p.patient_id ?? '', p]));
  });
  afterAll(() => cohort.cleanup());

  it('gives every episode a known patient and track, and every session a known episode', () => {
    const tracks = new Set(rowsOf(cohort, 'tracks').map((t) => t.track_code));
    for (const e of episodes.values()) {
      expect(patients.has(e.patient_id ?? '')).toBe(true);
      expect(tracks.has(e.track_code)).toBe(true);
    }
    for (const s of rowsOf(cohort, 'attendance')) expect(episodes.has(s.episode_id ?? '')).toBe(true);
  });

  it('links assessments and tests to an episode of the same patient', () => {
    for (const r of [...rowsOf(cohort, 'assessments'), ...rowsOf(cohort, 'abstinence')]) {
      expect(patients.has(r.patient_id ?? '')).toBe(true);
      if (r.episode_id) expect(episodes.get(r.episode_id)?.patient_id).toBe(r.patient_id);
    }
  });

  it('writes every patient once, and only patients who have an episode', () => {
    const withEpisodes = new Set([...episodes.values()].map((e) => e.patient_id));
    expect(new Set(patients.keys())).toEqual(withEpisodes);
  });

  it('schedules no session before admission or after discharge', () => {
    for (const s of rowsOf(cohort, 'attendance')) {
      const e = episodes.get(s.episode_id ?? '');
      expect((s.session_date ?? '') >= (e?.admitted_on ?? '')).toBe(true);
      if (e?.discharged_on) expect((s.session_date ?? '') <= e.discharged_on).toBe(true);
    }
  });

  it('dates tests within the episode and intake assessments at most three days before admission', () => {
    for (const t of rowsOf(cohort, 'abstinence').filter((r) => r.episode_id)) {
      const e = episodes.get(t.episode_id ?? '');
      expect((t.collected_on ?? '') >= (e?.admitted_on ?? '')).toBe(true);
      if (e?.discharged_on) expect((t.collected_on ?? '') <= e.discharged_on).toBe(true);
    }
    for (const a of rowsOf(cohort, 'assessments').filter((r) => r.episode_id)) {
      const e = episodes.get(a.episode_id ?? '');
      expect(daysBetween(e?.admitted_on ?? '', a.administered_on ?? '')).toBeGreaterThanOrEqual(-3);
      if (e?.discharged_on) expect((a.administered_on ?? '') <= e.discharged_on).toBe(true);
    }
  });

  it('keeps a readmitted patient’s episodes apart, so date linking finds the right episode', () => {
    const byPatient = groupBy([...episodes.values()], (e) => e.patient_id ?? '');
    const readmitted = [...byPatient.values()].filter((list) => list.length > 1);
    expect(readmitted.length).toBeGreaterThan(10);
    for (const list of readmitted) {
      expect(list).toHaveLength(2);
      const [first, second] = list;
      expect(first?.discharged_on).toBeTruthy();
      expect(daysBetween(first?.discharged_on ?? '', second?.admitted_on ?? '')).toBeGreaterThanOrEqual(21);
    }
    for (const r of [...rowsOf(cohort, 'assessments'), ...rowsOf(cohort, 'abstinence')].filter((x) => x.episode_id)) {
      const own = byPatient.get(r.patient_id ?? '') ?? [];
      expect(linkByDate(own, r.administered_on ?? r.collected_on ?? '')).toBe(r.episode_id);
    }
  });

  it('admits women only to the women’s track, men only to the men’s, and adolescents only to family', () => {
    for (const e of episodes.values()) {
      const p = patients.get(e.patient_id ?? '');
      if (e.track_code === 'womens') expect(p?.sex).toBe('female');
      if (e.track_code === 'mens') expect(p?.sex).toBe('male');
      const age = Number((e.admitted_on ?? '').slice(0, 4)) - Number(p?.birth_year);
      expect(age).toBeGreaterThanOrEqual(13);
      expect(age).toBeLessThanOrEqual(71);
      if (age < 18) expect(e.track_code).toBe('family');
    }
  });

  it('discharges a dropout on the day of the last attended session or a few days later', () => {
    const sessions = groupBy(rowsOf(cohort, 'attendance'), (s) => s.episode_id ?? '');
    const dropouts = [...episodes.values()].filter((e) => e.discharge_reason === 'dropped_out');
    expect(dropouts.length).toBeGreaterThan(50);
    for (const e of dropouts) {
      const attended = (sessions.get(e.episode_id ?? '') ?? []).filter((s) => s.status === 'attended');
      const last = attended.map((s) => s.session_date ?? '').sort().at(-1) ?? '';
      expect(daysBetween(last, e.discharged_on ?? '')).toBeGreaterThanOrEqual(0);
      expect(daysBetween(last, e.discharged_on ?? '')).toBeLessThanOrEqual(7);
    }
  });

  it('gives every episode an attended intake session on its admission day', () => {
    const intake = new Set(
      rowsOf(cohort, 'attendance')
        .filter((s) => s.session_type === 'assessment' && s.status === 'attended')
        .map((s) => `${s.episode_id}|${s.session_date}`),
    );
    for (const e of episodes.values()) expect(intake.has(`${e.episode_id}|${e.admitted_on}`)).toBe(true);
  });
});
