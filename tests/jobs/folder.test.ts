import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { count } from '../ingest/helpers';
import { ingestCsv } from '../../ingest/loader';
import { runFolderSource } from '../../ingest/jobs/folder-source';
import { runJob } from '../../ingest/jobs/run-job';
import { folderSource, listDir, patientsCsv, tempDir } from './helpers';

// Folder sources (issue 7): files are taken only when complete, each is one batch
// through the unchanged CSV loader, and a file moves only after its batch committed.
const t = useTestDatabase();

async function patientIds(prefix: string): Promise<number> {
  const r = await t.wh.db.selectFrom('patients').select('patient_id').where('patient_id', 'like', `${prefix}-%`).execute();
  return r.length;
}

describe('folder source', () => {
  it('ingests each complete file as one batch and moves it to processed/', async () => {
    const dir = tempDir('fold');
    fs.writeFileSync(path.join(dir, 'a.csv'), patientsCsv('fa'));
    fs.writeFileSync(path.join(dir, 'b.csv'), patientsCsv('fb'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a csv');
    const r = await runFolderSource(t.wh, folderSource(dir));
    expect(r.files.map((f) => [f.file, f.status])).toEqual([['a.csv', 'committed'], ['b.csv', 'committed']]);
    expect(listDir(dir)).toEqual(['notes.txt', 'processed']);
    expect(listDir(path.join(dir, 'processed'))).toEqual(['a.csv', 'b.csv']);
    expect(await patientIds('fa')).toBe(3);
    const sources = await t.wh.db.selectFrom('ingest_batches').select('source_name').where('source_name', 'like', 'drop/%').orderBy('source_name').execute();
    expect(sources.map((s) => s.source_name)).toEqual(['drop/a.csv', 'drop/b.csv']);
  });

  it('leaves a file that is still growing for a later run', async () => {
    const dir = tempDir('grow');
    const file = path.join(dir, 'growing.csv');
    fs.writeFileSync(file, 'patient_id,birth_year,sex\ngr-1,1970,female\n');
    const writer = setTimeout(() => fs.appendFileSync(file, 'gr-2,1971,male\n'), 100);
    const first = await runFolderSource(t.wh, folderSource(dir, { settle_ms: 400 }));
    clearTimeout(writer);
    expect(first.files).toEqual([]);
    expect(await patientIds('gr')).toBe(0);
    const second = await runFolderSource(t.wh, folderSource(dir, { settle_ms: 100 }));
    expect(second.files.map((f) => f.status)).toEqual(['committed']);
    expect(await patientIds('gr')).toBe(2);
  });

  it('takes a file with a .done marker at once, and only marked files when markers are required', async () => {
    const dir = tempDir('mark');
    fs.writeFileSync(path.join(dir, 'm1.csv'), patientsCsv('mk1'));
    fs.writeFileSync(path.join(dir, 'm2.csv'), patientsCsv('mk2'));
    fs.writeFileSync(path.join(dir, 'm1.csv.done'), '');
    const r = await runFolderSource(t.wh, folderSource(dir, { require_done_marker: true, settle_ms: 60_000 }));
    expect(r.files.map((f) => f.file)).toEqual(['m1.csv']);
    expect(listDir(path.join(dir, 'processed'))).toEqual(['m1.csv', 'm1.csv.done']);
    expect(listDir(dir)).toEqual(['m2.csv', 'processed']);
  });

  it('skips a file whose content was already ingested, moving it to processed/', async () => {
    const dir = tempDir('dup');
    fs.writeFileSync(path.join(dir, 'monday.csv'), patientsCsv('dp'));
    await runFolderSource(t.wh, folderSource(dir));
    fs.writeFileSync(path.join(dir, 'monday-again.csv'), patientsCsv('dp'));
    fs.writeFileSync(path.join(dir, 'monday.csv'), patientsCsv('dp'));
    const r = await runFolderSource(t.wh, folderSource(dir));
    expect(r.files.map((f) => [f.file, f.status])).toEqual(expect.arrayContaining([['monday-again.csv', 'duplicate'], ['monday.csv', 'duplicate']]));
    expect(listDir(path.join(dir, 'processed'))).toHaveLength(3);
    expect(await patientIds('dp')).toBe(3);
  });

  it('moves a whole-file failure to failed/ with the reason beside it', async () => {
    const dir = tempDir('fail');
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'birth_year,sex\n1970,female\n');
    const r = await runJob(t.wh, folderSource(dir, { name: 'fail-src' }));
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/bad\.csv: missing required column patient_id/);
    expect(listDir(path.join(dir, 'failed'))).toEqual(['bad.csv', 'bad.csv.error.txt']);
  });

  it('recognises a file committed just before a crash (not yet moved) as duplicate and moves it, loading nothing twice', async () => {
    const dir = tempDir('crash');
    const text = patientsCsv('cr', 4);
    fs.writeFileSync(path.join(dir, 'late.csv'), text);
    // The batch committed, then the process died before the move.
    await ingestCsv(t.wh, { entity: 'patients', input: Readable.from([Buffer.from(text)]), sourceName: 'crash/late.csv' });
    const before = await count(t.wh, 'patients');
    const r = await runJob(t.wh, folderSource(dir, { name: 'crash' }));
    expect(r).toMatchObject({ status: 'succeeded', batches: 1 });
    expect(r.folder?.files.map((f) => f.status)).toEqual(['duplicate']);
    expect(listDir(path.join(dir, 'processed'))).toEqual(['late.csv']);
    expect(await count(t.wh, 'patients')).toBe(before);
  });
});

describe('job_runs', () => {
  it('records each run and marks a run left "running" by a dead process as interrupted', async () => {
    const dir = tempDir('runs');
    await t.wh.db.insertInto('job_runs').values({ run_id: crypto.randomUUID(), source: 'runs', status: 'running' }).execute();
    fs.writeFileSync(path.join(dir, 'r.csv'), patientsCsv('rn'));
    const r = await runJob(t.wh, folderSource(dir, { name: 'runs' }));
    expect(r.status).toBe('succeeded');
    const runs = await t.wh.db.selectFrom('job_runs').select(['status', 'batches', 'error']).where('source', '=', 'runs').orderBy('started_at').execute();
    expect(runs).toEqual([
      { status: 'interrupted', batches: 0, error: expect.stringMatching(/process ended/) },
      { status: 'succeeded', batches: 1, error: null },
    ]);
  });

  it('skips a source another process is running', async () => {
    const client = await t.wh.pool.connect();
    try {
      await client.query(`select pg_advisory_lock(hashtext('iop-job:locked'))`);
      const r = await runJob(t.wh, folderSource(tempDir('lock'), { name: 'locked' }));
      expect(r).toMatchObject({ status: 'skipped', run_id: null });
    } finally {
      await client.query(`select pg_advisory_unlock(hashtext('iop-job:locked'))`);
      client.release();
    }
  });
});
