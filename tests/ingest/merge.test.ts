import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { count, csv, ingestText, seedBasics } from './helpers';

// Merge by natural key (docs/formats.md): the later of two rows with one key wins, a
// re-ingest of the same bytes is `duplicate`, and a changed row is an update recorded
// in `corrections` with its old and new values (docs/warehouse.md, lineage).
const t = useTestDatabase();
const ATT = 'session_id,episode_id,session_date,status,session_type,minutes';

beforeAll(async () => {
  await seedBasics(t.wh);
});

async function session(id: string) {
  return t.wh.db.selectFrom('attendance').select(['session_date', 'status', 'minutes', 'batch_id']).where('session_id', '=', id).executeTakeFirst();
}

describe('duplicate keys inside one file', () => {
  it('keeps the later of two rows with one natural key and warns in the summary', async () => {
    const s = await ingestText(t.wh, 'attendance', csv(ATT,
      'D1,E1,2024-01-15,attended,group,60',
      'D2,E1,2024-01-16,attended,group,60',
      'D1,E1,2024-01-15,no_show,group,0',
    ));
    expect(s).toMatchObject({ rows_read: 3, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(s.warnings).toEqual(['1 row(s) repeated a natural key (session_id) within the file; the later row was kept']);
    expect(await session('D1')).toMatchObject({ status: 'no_show', minutes: 0 });
  });

  it('decides the winner by line, not by which row is valid first', async () => {
    const s = await ingestText(t.wh, 'attendance', csv(ATT,
      'D3,E1,2024-01-17,no_show,,',
      'D3,E1,2024-01-17,attended,,',
      'D3,E1,2024-01-17,excused,,',
    ));
    expect(s).toMatchObject({ inserted: 1 });
    expect(s.warnings[0]).toMatch(/^2 row\(s\) repeated a natural key/);
    expect(await session('D3')).toMatchObject({ status: 'excused' });
  });

  it('uses the whole composite key of assessments', async () => {
    const s = await ingestText(t.wh, 'assessments', csv('patient_id,instrument,administered_on,total_score',
      'P1,PHQ-9,2024-01-12,10',
      'P1,GAD-7,2024-01-12,8',
      'P1,PHQ-9,2024-01-19,9',
      'P1,phq-9,2024-01-12,11',
    ));
    expect(s).toMatchObject({ inserted: 3, rejected: 0 });
    expect(s.warnings).toContain('1 row(s) repeated a natural key (patient_id + instrument + administered_on) within the file; the later row was kept');
    const row = await t.wh.db.selectFrom('assessments').select('total_score')
      .where('patient_id', '=', 'P1').where('instrument', '=', 'PHQ-9').where('administered_on', '=', '2024-01-12').executeTakeFirstOrThrow();
    expect(row.total_score).toBe(11);
  });
});

describe('re-ingest', () => {
  const original = csv(ATT, 'R1,E2,2024-02-05,attended,group,60', 'R2,E2,2024-02-06,attended,group,60', 'R3,E2,2024-02-07,no_show,group,');

  it('reports an identical file as duplicate and changes nothing', async () => {
    const first = await ingestText(t.wh, 'attendance', original, { source: 'first.csv' });
    expect(first).toMatchObject({ status: 'committed', inserted: 3 });
    const before = { attendance: await count(t.wh, 'attendance'), corrections: await count(t.wh, 'corrections'), r1: await session('R1') };

    const again = await ingestText(t.wh, 'attendance', original, { source: 'renamed.csv' });
    expect(again).toMatchObject({ status: 'duplicate', inserted: 0, updated: 0, unchanged: 0, rejected: 0, errors: [] });
    expect(again.warnings).toEqual([`identical to batch ${first.batch_id}; nothing changed`]);
    expect(await count(t.wh, 'attendance')).toBe(before.attendance);
    expect(await count(t.wh, 'corrections')).toBe(before.corrections);
    expect(await session('R1')).toEqual(before.r1);
    const lineage = await t.wh.db.selectFrom('ingest_batches').select(['status', 'source_name']).where('batch_id', '=', again.batch_id).execute();
    expect(lineage).toEqual([{ status: 'duplicate', source_name: 'renamed.csv' }]);
  });

  it('does not treat the same bytes ingested as another entity as a duplicate', async () => {
    const text = csv('patient_id,track_code,name', 'SAMEBYTES,SAMEBYTES,x');
    const a = await ingestText(t.wh, 'patients', text);
    const b = await ingestText(t.wh, 'tracks', text);
    expect([a.status, b.status]).toEqual(['committed', 'committed']);
    expect([a.inserted, b.inserted]).toEqual([1, 1]);
  });

  it('updates a changed row, counts the unchanged ones and records a correction with old and new values', async () => {
    const changed = csv(ATT, 'R1,E2,2024-02-05,attended,group,60', 'R2,E2,2024-02-06,cancelled,group,', 'R3,E2,2024-02-07,no_show,group,', 'R4,E2,2024-02-08,attended,individual,50');
    const s = await ingestText(t.wh, 'attendance', changed);
    expect(s).toMatchObject({ status: 'committed', rows_read: 4, inserted: 1, updated: 1, unchanged: 2, rejected: 0 });
    expect(await session('R2')).toEqual({ session_date: '2024-02-06', status: 'cancelled', minutes: null, batch_id: s.batch_id });
    expect((await session('R1'))?.batch_id).not.toBe(s.batch_id);

    const corrections = await t.wh.db.selectFrom('corrections').select(['entity', 'natural_key', 'old', 'new', 'batch_id'])
      .where('batch_id', '=', s.batch_id).execute();
    expect(corrections).toEqual([{
      entity: 'attendance', natural_key: 'R2', batch_id: s.batch_id,
      old: { session_id: 'R2', episode_id: 'E2', patient_id: 'P2', session_date: '2024-02-06', status: 'attended', session_type: 'group', minutes: 60 },
      new: { session_id: 'R2', episode_id: 'E2', patient_id: 'P2', session_date: '2024-02-06', status: 'cancelled', session_type: 'group', minutes: null },
    }]);
    const lineage = await t.wh.db.selectFrom('ingest_batches').select(['inserted', 'updated', 'unchanged', 'rows_read']).where('batch_id', '=', s.batch_id).executeTakeFirstOrThrow();
    expect(lineage).toEqual({ inserted: 1, updated: 1, unchanged: 2, rows_read: 4 });
  });

  it('counts every row unchanged when a file with new bytes repeats stored values', async () => {
    const s = await ingestText(t.wh, 'attendance', csv(ATT, 'R1,E2,2024-02-05,Attended,Group,60', 'R3,E2,2024-02-07,no_show,group,'));
    expect(s).toMatchObject({ status: 'committed', inserted: 0, updated: 0, unchanged: 2 });
  });

  it('records a correction keyed by the composite natural key', async () => {
    await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result', 'P1,2024-01-20,uds,alcohol,negative'));
    const s = await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result', 'P1,2024-01-20,uds,Alcohol,positive'));
    expect(s).toMatchObject({ updated: 1 });
    const c = await t.wh.db.selectFrom('corrections').select(['natural_key', 'old', 'new']).where('batch_id', '=', s.batch_id).executeTakeFirstOrThrow();
    expect(c.natural_key).toBe('P1|2024-01-20|uds|alcohol');
    expect(c.old).toMatchObject({ result: 'negative' });
    expect(c.new).toMatchObject({ result: 'positive' });
  });

  it('leaves rejected rows out of the merge: a bad correction keeps the stored row', async () => {
    const s = await ingestText(t.wh, 'attendance', csv(ATT, 'R1,E2,2024-02-05,gone,group,60'));
    expect(s).toMatchObject({ rejected: 1, updated: 0 });
    expect(await session('R1')).toMatchObject({ status: 'attended' });
  });
});
