import { beforeAll, describe, expect, it } from 'vitest';
import { qualityReport } from '../../ingest/quality-report';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText } from './helpers';

// The followups entity (docs/formats.md "Entities" and "Episode linking"): an interview
// without episode_id links to the patient's latest episode admitted on or before the
// interview date (not by the assessment window: a six-month follow-up comes long after
// discharge); a later row with the same natural key corrects the stored one, with its
// old and new values in `corrections` and the new batch as its lineage.
const t = useTestDatabase();
const FOLLOWUPS = 'patient_id,interview_type,interviewed_on,status,episode_id,days_used_past_30,employed_or_in_school,stable_housing,arrested_past_30,socially_connected';

beforeAll(async () => {
  await ingestText(t.wh, 'tracks', csv('track_code,name', 'T1,Evening IOP'));
  await ingestText(t.wh, 'patients', csv('patient_id,birth_year', 'PA,1980', 'PB,1985'));
  await ingestText(t.wh, 'episodes', csv('episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason',
    'EA1,PA,T1,2024-01-10,2024-02-01,completed',
    'EA2,PA,T1,2024-06-10,2024-07-01,completed',
  ));
});

async function stored(patient: string, type: string, on: string) {
  return t.wh.db.selectFrom('followups').selectAll().where('patient_id', '=', patient)
    .where('interview_type', '=', type).where('interviewed_on', '=', on).executeTakeFirst();
}

describe('linking interviews to episodes', () => {
  it('links to the latest episode admitted on or before the interview, admission day included', async () => {
    const s = await ingestText(t.wh, 'followups', csv(FOLLOWUPS,
      'PA,intake,2024-01-10,completed,,12,no,yes,no,yes', // EA1's admission day
      'PA,followup_6m,2024-06-09,completed,,2,yes,yes,no,yes', // the day before EA2: still EA1, months after its discharge
      'PA,other,2024-06-10,completed,,0,yes,yes,no,yes', // EA2's admission day
      'PA,other,2024-01-09,refused,,,,,,', // before any admission: unlinked
    ));
    expect(s).toMatchObject({ inserted: 4, rejected: 0 });
    expect(s.warnings).toEqual(['1 row(s) link to no episode; they are kept but excluded from episode metrics']);
    expect((await stored('PA', 'intake', '2024-01-10'))?.episode_id).toBe('EA1');
    expect((await stored('PA', 'followup_6m', '2024-06-09'))?.episode_id).toBe('EA1');
    expect((await stored('PA', 'other', '2024-06-10'))?.episode_id).toBe('EA2');
    expect((await stored('PA', 'other', '2024-01-09'))?.episode_id).toBeNull();
  });

  it('keeps an explicit episode_id, as source_episode_id and as the link', async () => {
    await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PA,discharge,2024-07-01,completed,EA1,0,yes,yes,no,yes'));
    expect(await stored('PA', 'discharge', '2024-07-01')).toMatchObject({ episode_id: 'EA1', source_episode_id: 'EA1' });
  });

  it('relinks stored interviews when an earlier episode arrives', async () => {
    await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PB,intake,2024-03-05,completed,,30,no,no,yes,no'));
    expect((await stored('PB', 'intake', '2024-03-05'))?.episode_id).toBeNull();
    await ingestText(t.wh, 'episodes', csv('episode_id,patient_id,track_code,admitted_on', 'EB1,PB,T1,2024-03-05'));
    expect((await stored('PB', 'intake', '2024-03-05'))?.episode_id).toBe('EB1');
  });

  it('counts unlinked interviews in the data-quality report', async () => {
    const report = await qualityReport(t.wh.db, '2025-06-30');
    expect(report.unlinked.followups).toBe(1);
  });
});

describe('corrections and lineage', () => {
  it('replaces a stored interview by its natural key, records the correction and the new batch', async () => {
    const first = await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PA,followup_6m,2024-07-20,not_located,,,,,,'));
    expect((await stored('PA', 'followup_6m', '2024-07-20'))?.batch_id).toBe(first.batch_id);
    const late = await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PA,followup_6m,2024-07-20,completed,,4,yes,no,no,yes'));
    expect(late).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await stored('PA', 'followup_6m', '2024-07-20')).toMatchObject({
      status: 'completed', days_used_past_30: 4, employed_or_in_school: true, stable_housing: false, batch_id: late.batch_id,
    });
    const corr = await t.wh.db.selectFrom('corrections').select(['entity', 'natural_key', 'old', 'new'])
      .where('batch_id', '=', late.batch_id).execute();
    expect(corr).toHaveLength(1);
    expect(corr[0]).toMatchObject({ entity: 'followups', natural_key: 'PA|followup_6m|2024-07-20' });
    expect((corr[0]?.old as Record<string, unknown>).status).toBe('not_located');
    expect((corr[0]?.new as Record<string, unknown>).status).toBe('completed');
  });

  it('leaves an identical row unchanged', async () => {
    const s = await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PA,followup_6m,2024-07-20,completed,,4,yes,no,no,yes', 'PA,intake,2024-01-10,completed,,12,no,yes,no,yes'));
    expect(s).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
  });
});
