import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAndParse, rowsOf, type Cohort } from './cohort-files';

// The round-2 columns the generator fills (docs/formats.md): every episode at a site, the
// realistic gaps (about 20% without a first contact, 30% without diagnoses), staff that
// agrees with itself, and diagnoses that agree with the substance.
describe('generated sites, clinicians and intake columns', () => {
  let cohort: Cohort;
  beforeAll(async () => {
    cohort = await generateAndParse(3000, 11);
  });
  afterAll(() => cohort.cleanup());

  const share = (rows: Record<string, string>[], test: (r: Record<string, string>) => boolean) => rows.filter(test).length / rows.length;

  it('leaves about 20% of episodes without a first contact and 30% without diagnoses', () => {
    const episodes = rowsOf(cohort, 'episodes');
    expect(share(episodes, (r) => !r.first_contact_on)).toBeGreaterThan(0.16);
    expect(share(episodes, (r) => !r.first_contact_on)).toBeLessThan(0.24);
    expect(share(episodes, (r) => !r.diagnoses)).toBeGreaterThan(0.26);
    expect(share(episodes, (r) => !r.diagnoses)).toBeLessThan(0.34);
  });

  it('puts every episode at a site and nearly every one with a primary clinician of that site', () => {
    const clinicians = new Map(rowsOf(cohort, 'clinicians').map((c) => [c.clinician_id ?? '', c]));
    const episodes = rowsOf(cohort, 'episodes');
    expect(episodes.every((e) => Boolean(e.site_code))).toBe(true);
    expect(share(episodes, (e) => Boolean(e.clinician_id))).toBeGreaterThan(0.95);
    for (const e of episodes.filter((x) => x.clinician_id)) expect(clinicians.get(e.clinician_id ?? '')?.site_code, e.episode_id).toBe(e.site_code);
  });

  it('gives no recent admission to the clinician who left (inactive)', () => {
    const inactive = new Set(rowsOf(cohort, 'clinicians').filter((c) => c.active === 'false').map((c) => c.clinician_id));
    expect(inactive.size).toBe(1);
    const theirs = rowsOf(cohort, 'episodes').filter((e) => inactive.has(e.clinician_id));
    expect(theirs.length).toBeGreaterThan(0);
    const yearBefore = '2025-11-22';
    expect(theirs.every((e) => (e.admitted_on ?? '') < yearBefore)).toBe(true);
  });

  it('names a facilitator on every session', () => {
    expect(rowsOf(cohort, 'attendance').every((s) => Boolean(s.clinician_id))).toBe(true);
  });

  it('lists the dependence code of the primary substance first', () => {
    const code: Record<string, RegExp> = { alcohol: /^F10/, opioids: /^F11/, cannabis: /^F12/, benzodiazepines: /^F13/, stimulants: /^F1[45]/ };
    for (const e of rowsOf(cohort, 'episodes').filter((r) => r.diagnoses)) {
      expect(e.diagnoses?.split(';')[0], e.episode_id).toMatch(code[e.primary_substance ?? ''] ?? /^$/);
    }
  });

  it('plans every episode 8–12 weeks, writing the plan only where it differs from the track', () => {
    const track = new Map(rowsOf(cohort, 'tracks').map((t) => [t.track_code, Number(t.planned_weeks)]));
    for (const e of rowsOf(cohort, 'episodes')) {
      const weeks = e.planned_weeks ? Number(e.planned_weeks) : track.get(e.track_code);
      expect(weeks, e.episode_id).toBeGreaterThanOrEqual(8);
      expect(weeks, e.episode_id).toBeLessThanOrEqual(12);
      if (e.planned_weeks) expect(Number(e.planned_weeks)).not.toBe(track.get(e.track_code));
    }
  });
});
