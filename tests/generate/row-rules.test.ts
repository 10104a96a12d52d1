import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, ENTITIES, generateAndParse, knownKeys, rowsOf, type Cohort } from './cohort-files';
import { COLUMNS, INSTRUMENTS, NATURAL_KEYS, rowErrors, type Known } from './row-rules';

describe('generated CSVs follow the canonical formats (docs/formats.md)', () => {
  let cohort: Cohort;
  let known: Known;

  beforeAll(async () => {
    cohort = await generateAndParse(500, 7);
    known = knownKeys(cohort);
  });
  afterAll(() => cohort.cleanup());

  it('writes every entity file with exactly the canonical header', () => {
    for (const entity of ENTITIES) expect(cohort.files[entity]?.header, entity).toEqual(COLUMNS[entity]);
  });

  it('reports the row count of every file it wrote, in ingest order', () => {
    expect(cohort.summary.files.map((f) => f.entity)).toEqual([...ENTITIES]);
    for (const f of cohort.summary.files) expect(f.rows, f.entity).toBe(rowsOf(cohort, f.entity as (typeof ENTITIES)[number]).length);
    expect(rowsOf(cohort, 'episodes')).toHaveLength(500);
  });

  it('passes every row rule in every good file', () => {
    for (const entity of ENTITIES) {
      const failures = rowsOf(cohort, entity)
        .map((row, i) => ({ line: i + 2, errors: rowErrors(entity, row, known) }))
        .filter((f) => f.errors.length > 0);
      expect(failures.slice(0, 5), entity).toEqual([]);
    }
  });

  it('never repeats a natural key within a file', () => {
    for (const entity of ENTITIES) {
      const keys = rowsOf(cohort, entity).map(NATURAL_KEYS[entity] ?? (() => ''));
      expect(new Set(keys).size, entity).toBe(keys.length);
    }
  });

  it('puts no date on or after as-of', () => {
    const dates = [
      ...rowsOf(cohort, 'episodes').flatMap((r) => [r.admitted_on, r.discharged_on]),
      ...rowsOf(cohort, 'attendance').map((r) => r.session_date),
      ...rowsOf(cohort, 'assessments').map((r) => r.administered_on),
      ...rowsOf(cohort, 'abstinence').map((r) => r.collected_on),
    ].filter((d): d is string => Boolean(d));
    expect(dates.every((d) => d < AS_OF && d >= '1900-01-01')).toBe(true);
  });

  it('records minutes only for sessions that took place, within 50–180', () => {
    for (const r of rowsOf(cohort, 'attendance')) {
      if (r.status !== 'attended') expect(r.minutes).toBe('');
      else expect(Number(r.minutes)).toSatisfy((m: number) => m >= 50 && m <= 180);
    }
  });

  it('gives items for PHQ-9 and GAD-7 on some rows and totals only on others', () => {
    const phq = rowsOf(cohort, 'assessments').filter((r) => r.instrument === 'PHQ-9');
    const withItems = phq.filter((r) => r.item_1 !== '');
    expect(withItems.length / phq.length).toBeGreaterThan(0.4);
    expect(withItems.length / phq.length).toBeLessThan(0.8);
    for (const r of rowsOf(cohort, 'assessments')) {
      const items = INSTRUMENTS[r.instrument ?? '']?.items ?? 0;
      if (items === 0) expect(r.item_1).toBe('');
    }
  });

  it('carries days_used_past_30 only on self-report rows and prescribed only on positive opioid screens', () => {
    for (const r of rowsOf(cohort, 'abstinence')) {
      expect(r.days_used_past_30 !== '').toBe(r.method === 'self_report');
      if (r.prescribed === 'true') expect([r.method, r.substance, r.result]).toEqual(['uds', 'opioids', 'positive']);
    }
  });
});
