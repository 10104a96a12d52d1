import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { runCodegen } from '../../warehouse/codegen';
import { useTestDatabase } from '../harness/database';

const t = useTestDatabase();

describe('warehouse schema', () => {
  it('creates the public tables of docs/warehouse.md under their contract names', async () => {
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(t.wh.db);
    const names = rows.rows.map((r) => r.table_name);
    for (const table of ['tracks', 'sites', 'clinicians', 'instruments', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence_tests',
      'ingest_batches', 'rejected_rows', 'corrections', 'audit_log', 'episode_outcomes', 'episode_instrument_outcomes']) {
      expect(names).toContain(table);
    }
  });

  it('seeds the built-in instruments with the docs/metrics.md thresholds', async () => {
    const rows = await t.wh.db.selectFrom('instruments')
      .select(['code', 'min_score', 'max_score', 'reliable_change_points', 'clinical_cutoff', 'remission_below', 'loinc'])
      .orderBy('code').execute();
    expect(rows).toEqual([
      { code: 'AUDIT-C', min_score: 0, max_score: 12, reliable_change_points: null, clinical_cutoff: 4, remission_below: null, loinc: '75626-2' },
      { code: 'DAST-10', min_score: 0, max_score: 10, reliable_change_points: null, clinical_cutoff: 3, remission_below: null, loinc: '82667-7' },
      { code: 'GAD-7', min_score: 0, max_score: 21, reliable_change_points: 4, clinical_cutoff: 8, remission_below: 5, loinc: '70274-6' },
      { code: 'PCL-5', min_score: 0, max_score: 80, reliable_change_points: 10, clinical_cutoff: 33, remission_below: null, loinc: null },
      { code: 'PHQ-9', min_score: 0, max_score: 27, reliable_change_points: 6, clinical_cutoff: 10, remission_below: 5, loinc: '44261-6' },
    ]);
  });

  it('has checked-in DB types that match the migrated schema (kysely-codegen --verify)', () => {
    const { ok, output } = runCodegen(t.url, true);
    expect(output).not.toMatch(/differ|out of date/i);
    expect(ok).toBe(true);
  });
});
