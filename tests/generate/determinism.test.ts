import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES, generateAndParse, type Cohort } from './cohort-files';

const FILES = [...ENTITIES.map((e) => `${e}.csv`), 'bad/attendance.csv', 'bad/assessments.csv'];

async function bytes(cohort: Cohort, file: string): Promise<string> {
  return readFile(join(cohort.dir, file), 'utf8');
}

describe('generate is deterministic per seed and as-of', () => {
  const cohorts: Cohort[] = [];
  let a: Cohort;
  let b: Cohort;
  let otherSeed: Cohort;
  let fewer: Cohort;

  beforeAll(async () => {
    [a, b, otherSeed, fewer] = await Promise.all([
      generateAndParse(300, 42),
      generateAndParse(300, 42),
      generateAndParse(300, 43),
      generateAndParse(120, 42),
    ]);
    cohorts.push(a, b, otherSeed, fewer);
  });
  afterAll(() => Promise.all(cohorts.map((c) => c.cleanup())));

  it('writes byte-identical files for the same seed', async () => {
    for (const file of FILES) expect(await bytes(b, file), file).toBe(await bytes(a, file));
  });

  it('writes different data for a different seed', async () => {
    for (const file of ['patients.csv', 'episodes.csv', 'attendance.csv', 'assessments.csv', 'abstinence.csv']) {
      expect(await bytes(otherSeed, file), file).not.toBe(await bytes(a, file));
    }
  });

  it('draws each episode from (seed, index) alone, so a smaller run is a prefix of a larger one', async () => {
    // The last patient of the smaller run may lose a readmission to the episode limit, so compare
    // every episode but the last two.
    const small = (await bytes(fewer, 'episodes.csv')).split('\n').slice(0, 118);
    const large = (await bytes(a, 'episodes.csv')).split('\n').slice(0, 118);
    expect(small).toEqual(large);
  });

  it('moves first admissions with as-of and keeps every date before it', async () => {
    const later = await generateAndParse(50, 42, '2027-01-01');
    const earlier = await generateAndParse(50, 42, '2026-01-01');
    cohorts.push(later, earlier);
    // Readmissions follow discharges, which fall on program weekdays, so only first admissions shift exactly.
    const firstAdmissions = (c: Cohort): string[] => {
      const seen = new Map<string, string>();
      for (const r of c.files.episodes?.rows ?? []) if (!seen.has(r.patient_id ?? '')) seen.set(r.patient_id ?? '', r.admitted_on ?? '');
      return [...seen.values()];
    };
    const before = firstAdmissions(earlier);
    const shift = firstAdmissions(later).map((d, i) => (Date.parse(d) - Date.parse(before[i] ?? '')) / 86_400_000);
    expect(new Set(shift)).toEqual(new Set([365]));
    const lastDate = (c: Cohort): string =>
      (c.files.attendance?.rows ?? []).map((r) => r.session_date ?? '').sort().at(-1) ?? '';
    expect(lastDate(earlier) < '2026-01-01').toBe(true);
    expect(lastDate(later) < '2027-01-01').toBe(true);
  });
});
