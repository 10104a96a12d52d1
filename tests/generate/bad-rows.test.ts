import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAndParse, knownKeys, rowsOf, type Cohort } from './cohort-files';
import { COLUMNS, rowErrors, type Known } from './row-rules';

describe('deliberately bad rows go to bad/ for the quarantine demo', () => {
  let cohort: Cohort;
  let known: Known;

  beforeAll(async () => {
    cohort = await generateAndParse(200, 5);
    known = knownKeys(cohort);
  });
  afterAll(() => cohort.cleanup());

  it('writes bad/attendance.csv and bad/assessments.csv with the canonical headers', () => {
    expect(Object.keys(cohort.bad).sort()).toEqual(['assessments', 'attendance']);
    expect(cohort.bad.attendance?.header).toEqual(COLUMNS.attendance);
    expect(cohort.bad.assessments?.header).toEqual(COLUMNS.assessments);
  });

  it('breaks at least one row rule on every bad row, and says which', () => {
    for (const f of cohort.summary.badFiles) {
      const rows = cohort.bad[f.entity]?.rows ?? [];
      expect(rows.length).toBeGreaterThan(3);
      expect(f.breaks).toHaveLength(rows.length);
      rows.forEach((row, i) => expect(rowErrors(f.entity, row, known), `${f.entity} line ${i + 2}: ${f.breaks[i]}`).not.toEqual([]));
    }
  });

  it('includes the PHQ-9 total of 31 and an item/total disagreement', () => {
    const rows = cohort.bad.assessments?.rows ?? [];
    expect(rows.some((r) => r.instrument === 'PHQ-9' && r.total_score === '31')).toBe(true);
    expect(rowErrors('assessments', rows[1] ?? {}, known)).toEqual(['total is not the sum of the items']);
  });

  it('never writes a bad session id or the unknown episode into the good files', () => {
    const bad = new Set((cohort.bad.attendance?.rows ?? []).map((r) => r.session_id));
    expect(rowsOf(cohort, 'attendance').some((r) => bad.has(r.session_id))).toBe(false);
    expect(known.episodes.has('E0000000')).toBe(false);
    expect(known.patients.has('P000000')).toBe(false);
  });
});
