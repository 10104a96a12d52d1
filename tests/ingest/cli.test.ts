import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { count, FIXTURES, runCli, seedBasics } from './helpers';

// The `iop ingest` contract of docs/cli.md, through the real CLI: exit codes 0 / 2 / 64,
// `--json` as exactly one JSON document on stdout, stdin via `-`, and whole-file
// failures that apply nothing and leave a `failed` batch in the lineage.
const t = useTestDatabase();
const fixture = (name: string) => path.join(FIXTURES, name);
const SUMMARY_KEYS = ['batch_id', 'entity', 'status', 'rows_read', 'inserted', 'updated', 'unchanged', 'rejected', 'errors', 'warnings'];

beforeAll(async () => {
  await seedBasics(t.wh);
});

async function batchesFrom(source: string) {
  return t.wh.db.selectFrom('ingest_batches').select(['status', 'error', 'entity']).where('source_name', '=', source).execute();
}

describe('iop ingest: success', () => {
  it('prints exactly one JSON document with the contract keys under --json, then reports duplicate on re-ingest', async () => {
    const first = runCli(t.url, ['ingest', 'attendance', fixture('attendance-ok.csv'), '--json']);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual([...SUMMARY_KEYS].sort());
    expect(summary).toMatchObject({ entity: 'attendance', status: 'committed', rows_read: 2, inserted: 2, updated: 0, unchanged: 0, rejected: 0, errors: [], warnings: [] });
    expect(await batchesFrom('attendance-ok.csv')).toEqual([{ status: 'committed', error: null, entity: 'attendance' }]);

    const again = runCli(t.url, ['ingest', 'attendance', fixture('attendance-ok.csv'), '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'duplicate', inserted: 0, updated: 0 });
    expect(await count(t.wh, 'attendance')).toBe(2);
  });

  it('exits 0 with rejected rows, applying a header profile and listing each error with its line', async () => {
    const r = runCli(t.url, ['ingest', 'attendance', fixture('attendance-ehr.csv'), '--profile', fixture('profile-ehr.json'), '--json', '--source', 'ehr-export']);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { inserted: number; rejected: number; errors: unknown[] };
    expect(s).toMatchObject({ inserted: 2, rejected: 1 });
    expect(s.errors).toEqual([{ line: 4, column: 'session_date', value: '02/30/2024', message: 'must be a date as MM/DD/YYYY' }]);
    const rows = await t.wh.db.selectFrom('attendance').select(['session_id', 'session_date', 'status']).where('session_id', 'in', ['V1', 'V2']).orderBy('session_id').execute();
    expect(rows).toEqual([
      { session_id: 'V1', session_date: '2024-01-15', status: 'attended' },
      { session_id: 'V2', session_date: '2024-01-22', status: 'no_show' },
    ]);
    expect(await batchesFrom('ehr-export')).toEqual([{ status: 'committed', error: null, entity: 'attendance' }]);
  });

  it('reads standard input when the file is -', async () => {
    const r = runCli(t.url, ['ingest', 'tracks', '-', '--json'], 'track_code,name\nSTDIN1,From stdin\n');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'committed', inserted: 1 });
    expect(await batchesFrom('stdin')).toEqual([{ status: 'committed', error: null, entity: 'tracks' }]);
  });

  it('prints a readable summary without --json', () => {
    const r = runCli(t.url, ['ingest', 'tracks', '-'], 'track_code,name,level_of_care\nTXT1,Text,iop\nTXT2,Text,ward\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rows read 2, inserted 1, updated 0, unchanged 0, rejected 1/);
    expect(r.stdout).toMatch(/line 3, level_of_care = "ward": must be one of iop, php, op/);
  });

  it('lists the lineage with batches --json and the quarantined rows with rejects --batch --json', async () => {
    const batch = await t.wh.db.selectFrom('ingest_batches').select('batch_id').where('source_name', '=', 'ehr-export').executeTakeFirstOrThrow();
    const b = runCli(t.url, ['batches', '--json']);
    expect(b.status).toBe(0);
    const batches = JSON.parse(b.stdout) as { batch_id: string; status: string }[];
    expect(batches.map((x) => x.batch_id)).toContain(batch.batch_id);
    const r = runCli(t.url, ['rejects', '--batch', batch.batch_id, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{
      batch_id: batch.batch_id, line: 4,
      errors: [{ column: 'session_date', value: '02/30/2024', message: 'must be a date as MM/DD/YYYY' }],
      raw: { 'Visit ID': 'V3', Encounter: 'E2', 'Appt Date': '02/30/2024', Outcome: 'Show' },
    }]);
  });
});

describe('iop ingest: whole-file failures exit 2 and apply nothing', () => {
  it('fails a header missing a required column, naming the column', async () => {
    const before = await count(t.wh, 'attendance');
    const r = runCli(t.url, ['ingest', 'attendance', fixture('attendance-missing-status.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing required column status for attendance/);
    expect(r.stderr).toMatch(/nothing was applied/);
    expect(r.stdout).toBe('');
    expect(await count(t.wh, 'attendance')).toBe(before);
    expect(await batchesFrom('attendance-missing-status.csv')).toEqual([{ status: 'failed', error: expect.stringMatching(/status/), entity: 'attendance' }]);
  });

  it('fails an empty file', async () => {
    const r = runCli(t.url, ['ingest', 'tracks', fixture('empty.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/empty/);
  });

  it('fails a file that is JSON, not CSV', async () => {
    const before = await count(t.wh, 'tracks');
    const r = runCli(t.url, ['ingest', 'tracks', fixture('not-csv.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing was applied/);
    expect(await count(t.wh, 'tracks')).toBe(before);
  });

  it('fails a binary file', async () => {
    const r = runCli(t.url, ['ingest', 'tracks', fixture('binary.png')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing was applied/);
    expect(await batchesFrom('binary.png')).toEqual([{ status: 'failed', error: expect.any(String), entity: 'tracks' }]);
  });

  it('fails a Latin-1 file as not UTF-8 and records a failed batch', async () => {
    const r = runCli(t.url, ['ingest', 'tracks', fixture('latin1-tracks.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not valid UTF-8 \(near line 2\)/);
    expect(await t.wh.db.selectFrom('tracks').select('track_code').where('track_code', '=', 'L1').execute()).toEqual([]);
    expect(await batchesFrom('latin1-tracks.csv')).toEqual([{ status: 'failed', error: expect.stringMatching(/UTF-8/), entity: 'tracks' }]);
  });

  it('fails a file that does not exist', () => {
    const r = runCli(t.url, ['ingest', 'tracks', fixture('no-such-file.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read/);
  });
});

describe('iop ingest: usage errors exit 64', () => {
  it('rejects an unknown entity and lists the known ones', () => {
    const r = runCli(t.url, ['ingest', 'visits', fixture('attendance-ok.csv')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/unknown entity "visits"; expected one of tracks, sites, clinicians, instruments, patients, episodes, attendance, assessments, abstinence/);
  });

  it('rejects a profile that fails validation, with the reason', () => {
    const r = runCli(t.url, ['ingest', 'attendance', fixture('attendance-ok.csv'), '--profile', fixture('profile-bad.json')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/Invalid header profile .*date_format: must be "excel" or a layout/);
  });

  it('rejects a profile that is not JSON', () => {
    const r = runCli(t.url, ['ingest', 'attendance', fixture('attendance-ok.csv'), '--profile', fixture('attendance-ok.csv')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/is not valid JSON/);
  });

  it('rejects a missing file argument', () => {
    const r = runCli(t.url, ['ingest', 'tracks']);
    expect(r.status).toBe(64);
  });
});
