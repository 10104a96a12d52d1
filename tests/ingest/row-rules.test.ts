import { beforeAll, describe, expect, it } from 'vitest';
import type { EntityName } from '../../ingest/entities';
import type { IngestSummary } from '../../ingest/loader';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText, seedBasics, TODAY } from './helpers';

// Every row rule of docs/formats.md, each with a failing row between two valid ones: the
// bad row is rejected with its physical line (header = line 1), column, value and a
// message, and the rows around it are kept.
const t = useTestDatabase();

beforeAll(async () => {
  await seedBasics(t.wh);
});

const HEADERS: Record<EntityName, string> = {
  tracks: 'track_code,name,level_of_care,active',
  sites: 'site_code,name,organization,state',
  clinicians: 'clinician_id,name,discipline,site_code,active',
  instruments: 'code,name,min_score,max_score,higher_is_better',
  patients: 'patient_id,birth_year,sex',
  episodes: 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance',
  attendance: 'session_id,episode_id,session_date,status,session_type,minutes',
  assessments: 'patient_id,instrument,administered_on,total_score,episode_id',
  abstinence: 'patient_id,collected_on,method,substance,result,episode_id,prescribed,days_used_past_30',
  followups: 'patient_id,interview_type,interviewed_on,status,episode_id,days_used_past_30,employed_or_in_school,stable_housing,arrested_past_30,socially_connected',
};

let serial = 0;
/** Two valid rows of the entity with fresh natural keys, so no two test files collide. */
function goodRows(entity: EntityName): [string, string] {
  const n = () => ++serial;
  const day = () => `2024-0${1 + (serial % 3)}-${String(10 + (serial % 18)).padStart(2, '0')}`;
  switch (entity) {
    case 'tracks': return [`GT${n()},Good track,iop,true`, `GT${n()},Good track,op,false`];
    case 'sites': return [`GSITE${n()},Good site,,`, `GSITE${n()},Good site,Org,OR`];
    case 'clinicians': return [`GC${n()},Good clinician,,,`, `GC${n()},Good clinician,lcsw,,false`];
    case 'instruments': return [`GI${n()},Good instrument,0,10,false`, `GI${n()},Good instrument,0,5,true`];
    case 'patients': return [`GP${n()},1980,female`, `GP${n()},1970,male`];
    case 'episodes': return [`GE${n()},P1,T1,2024-01-01,,,`, `GE${n()},P2,T2,2024-01-01,2024-02-01,completed,`];
    case 'attendance': return [`GS${n()},E1,2024-01-15,attended,group,60`, `GS${n()},E2,2024-02-15,no_show,,`];
    case 'assessments': return [`P1,GAD-7,${(n(), day())},5,`, `P2,GAD-7,${(n(), day())},6,`];
    case 'abstinence': return [`P1,${day()},uds,good-${n()},negative,,,`, `P2,${day()},uds,good-${n()},negative,,,`];
    case 'followups': return [`P1,other,${(n(), day())},completed,,0,yes,yes,no,yes`, `P2,other,${(n(), day())},refused,,,,,,`];
  }
}

interface Expected {
  column: string;
  value: string | null;
  message: string | RegExp;
}

/** Ingests good, bad, good and checks the bad row (line 3) is the one rejected, with exactly `want`. */
async function expectRejected(entity: EntityName, badRow: string, want: Expected | Expected[]): Promise<IngestSummary> {
  const [a, b] = goodRows(entity);
  const s = await ingestText(t.wh, entity, csv(HEADERS[entity], a, badRow, b));
  const wants = Array.isArray(want) ? want : [want];
  expect(s.status).toBe('committed');
  expect(s.rows_read).toBe(3);
  expect(s.rejected).toBe(1);
  expect(s.inserted).toBe(2);
  expect(s.errors).toHaveLength(wants.length);
  wants.forEach((w, i) => {
    expect(s.errors[i]).toMatchObject({ line: 3, column: w.column, value: w.value });
    const msg = s.errors[i]?.message ?? '';
    if (typeof w.message === 'string') expect(msg).toBe(w.message);
    else expect(msg).toMatch(w.message);
  });
  const stored = await t.wh.db.selectFrom('rejected_rows').select(['line', 'errors', 'raw']).where('batch_id', '=', s.batch_id).execute();
  expect(stored).toHaveLength(1);
  expect(stored[0]?.line).toBe(3);
  expect(stored[0]?.errors).toEqual(s.errors.map(({ line: _line, ...e }) => e));
  return s;
}

const REASONS = 'completed, transferred, dropped_out, against_advice, terminated, incarcerated, died, other';

describe('episode rules', () => {
  it('rejects a discharge_reason outside the list and keeps the other rows', async () => {
    await expectRejected('episodes', 'X1,P1,T1,2024-01-01,2024-02-01,graduated,', {
      column: 'discharge_reason', value: 'graduated', message: `must be one of ${REASONS}`,
    });
  });

  it('rejects a discharged episode without a discharge_reason', async () => {
    await expectRejected('episodes', 'X2,P1,T1,2024-01-01,2024-02-01,,', {
      column: 'discharge_reason', value: null, message: `is required when discharged_on is set (one of ${REASONS})`,
    });
  });

  it('rejects a discharge_reason on an episode that is not discharged', async () => {
    await expectRejected('episodes', 'X3,P1,T1,2024-01-01,,completed,', {
      column: 'discharge_reason', value: 'completed', message: 'must be empty while discharged_on is empty',
    });
  });

  it('rejects discharged_on before admitted_on', async () => {
    await expectRejected('episodes', 'X4,P1,T1,2024-03-01,2024-02-01,completed,', {
      column: 'discharged_on', value: '2024-02-01', message: 'must be on or after admitted_on (2024-03-01)',
    });
  });

  it('accepts discharge on the day of admission', async () => {
    const s = await ingestText(t.wh, 'episodes', csv(HEADERS.episodes, 'SAME1,P1,T1,2024-03-01,2024-03-01,transferred,'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
  });

  it('rejects a date after the ingest date', async () => {
    await expectRejected('episodes', 'X5,P1,T1,2025-07-01,,,', {
      column: 'admitted_on', value: '2025-07-01', message: `must not be after the ingest date ${TODAY}`,
    });
  });

  it('accepts a date on the ingest date itself', async () => {
    const s = await ingestText(t.wh, 'episodes', csv(HEADERS.episodes, `TODAY1,P1,T1,${TODAY},,,`));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
  });

  it('rejects a date before 1900', async () => {
    await expectRejected('episodes', 'X6,P1,T1,1899-12-31,,,', {
      column: 'admitted_on', value: '1899-12-31', message: 'must not be before 1900-01-01',
    });
  });

  it('rejects an impossible calendar date such as February 30', async () => {
    await expectRejected('episodes', 'X7,P1,T1,2024-02-30,,,', {
      column: 'admitted_on', value: '2024-02-30', message: 'must be a date as YYYY-MM-DD',
    });
  });

  it('rejects a date in another layout when no profile declares it', async () => {
    await expectRejected('episodes', 'X8,P1,T1,01/15/2024,,,', {
      column: 'admitted_on', value: '01/15/2024', message: 'must be a date as YYYY-MM-DD',
    });
  });

  it('rejects an unknown track_code and lists the known tracks', async () => {
    await expectRejected('episodes', 'X9,P1,T9,2024-01-01,,,', {
      column: 'track_code', value: 'T9', message: 'unknown track_code; known tracks: T1, T2',
    });
  });

  it('rejects an unknown patient_id', async () => {
    await expectRejected('episodes', 'X10,P404,T1,2024-01-01,,,', {
      column: 'patient_id', value: 'P404', message: 'unknown patient_id: ingest the patient in patients first',
    });
  });

  it('reports every violation of one row, not just the first', async () => {
    await expectRejected('episodes', 'X11,P404,T9,2024-01-01,,,', [
      { column: 'patient_id', value: 'P404', message: /unknown patient_id/ },
      { column: 'track_code', value: 'T9', message: /unknown track_code/ },
    ]);
  });

  it('rejects a row missing a required value', async () => {
    await expectRejected('episodes', 'X12,P1,,2024-01-01,,,', {
      column: 'track_code', value: null, message: 'is required (a track code)',
    });
  });

  it('stores primary_substance in lower case', async () => {
    await ingestText(t.wh, 'episodes', csv(HEADERS.episodes, 'LC1,P1,T1,2024-01-01,,,Alcohol'));
    const row = await t.wh.db.selectFrom('episodes').select('primary_substance').where('episode_id', '=', 'LC1').executeTakeFirstOrThrow();
    expect(row.primary_substance).toBe('alcohol');
  });
});

describe('track, instrument and patient rules', () => {
  it('rejects a level_of_care outside iop, php and op', async () => {
    await expectRejected('tracks', 'BAD1,Bad,inpatient,true', {
      column: 'level_of_care', value: 'inpatient', message: 'must be one of iop, php, op',
    });
  });

  it('rejects a boolean that is not true or false', async () => {
    await expectRejected('tracks', 'BAD2,Bad,iop,maybe', { column: 'active', value: 'maybe', message: 'must be true or false' });
  });

  it('defaults a track to active when the cell is empty', async () => {
    await ingestText(t.wh, 'tracks', csv(HEADERS.tracks, 'ACT1,Active by default,,'));
    const row = await t.wh.db.selectFrom('tracks').select('active').where('track_code', '=', 'ACT1').executeTakeFirstOrThrow();
    expect(row.active).toBe(true);
  });

  it('rejects an instrument whose score bounds are not numbers', async () => {
    await expectRejected('instruments', 'BADI,Bad,zero,10,false', { column: 'min_score', value: 'zero', message: 'must be a number' });
  });

  it('rejects a sex outside female, male, other and unknown', async () => {
    await expectRejected('patients', 'BADP1,1980,f', { column: 'sex', value: 'f', message: 'must be one of female, male, other, unknown' });
  });

  it('rejects a birth_year that is not a whole number', async () => {
    await expectRejected('patients', 'BADP2,19.5x,male', {
      column: 'birth_year', value: '19.5x', message: `must be a whole number from 1900 to ${TODAY.slice(0, 4)}`,
    });
  });
});

describe('attendance rules', () => {
  it('rejects an unknown episode_id', async () => {
    await expectRejected('attendance', 'BS1,E404,2024-01-15,attended,,', {
      column: 'episode_id', value: 'E404', message: 'unknown episode_id: ingest the episode in episodes first',
    });
  });

  it('rejects a status outside the list', async () => {
    await expectRejected('attendance', 'BS2,E1,2024-01-15,showed,,', {
      column: 'status', value: 'showed', message: 'must be one of attended, no_show, cancelled, excused',
    });
  });

  it('rejects a session_type outside the list', async () => {
    await expectRejected('attendance', 'BS3,E1,2024-01-15,attended,yoga,', {
      column: 'session_type', value: 'yoga', message: 'must be one of group, individual, family, medication, assessment, other',
    });
  });

  it('rejects minutes that are not a whole number', async () => {
    await expectRejected('attendance', 'BS4,E1,2024-01-15,attended,group,ninety', {
      column: 'minutes', value: 'ninety', message: 'must be a whole number from 0 to 1440',
    });
  });

  it('rejects a session date after the ingest date', async () => {
    await expectRejected('attendance', 'BS5,E2,2025-12-01,attended,,', {
      column: 'session_date', value: '2025-12-01', message: `must not be after the ingest date ${TODAY}`,
    });
  });

  it('reads enumerations case-insensitively with spaces as underscores', async () => {
    const s = await ingestText(t.wh, 'attendance', csv(HEADERS.attendance, 'CI1,E1,2024-01-16,No Show,Group,'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
    const row = await t.wh.db.selectFrom('attendance').select(['status', 'session_type', 'patient_id']).where('session_id', '=', 'CI1').executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'no_show', session_type: 'group', patient_id: 'P1' });
  });
});

describe('assessment rules', () => {
  it('rejects a PHQ-9 total above 27 and keeps the other rows', async () => {
    await expectRejected('assessments', 'P1,PHQ-9,2024-01-12,28,', {
      column: 'total_score', value: '28', message: 'PHQ-9 total_score must be 0–27',
    });
  });

  it('rejects a negative total', async () => {
    await expectRejected('assessments', 'P1,GAD-7,2024-01-13,-1,', {
      column: 'total_score', value: '-1', message: 'GAD-7 total_score must be 0–21',
    });
  });

  it('rejects a total that is not a number', async () => {
    await expectRejected('assessments', 'P1,GAD-7,2024-01-14,ten,', { column: 'total_score', value: 'ten', message: 'must be a number' });
  });

  it('rejects an unknown instrument and lists the known ones', async () => {
    await expectRejected('assessments', 'P1,BDI-II,2024-01-12,20,', {
      column: 'instrument', value: 'BDI-II', message: /^unknown instrument; known instruments: AUDIT-C, DAST-10, GAD-7, (GI\d+, )*PCL-5, PHQ-9$/,
    });
  });

  it('rejects an unknown patient_id', async () => {
    await expectRejected('assessments', 'P404,PHQ-9,2024-01-12,10,', { column: 'patient_id', value: 'P404', message: /unknown patient_id/ });
  });

  it('rejects an unknown episode_id', async () => {
    await expectRejected('assessments', 'P1,PHQ-9,2024-01-15,10,E404', { column: 'episode_id', value: 'E404', message: /unknown episode_id/ });
  });

  it('rejects an episode_id that belongs to another patient', async () => {
    await expectRejected('assessments', 'P1,PHQ-9,2024-02-05,10,E2', {
      column: 'episode_id', value: 'E2', message: 'episode E2 belongs to patient P2, not P1',
    });
  });

  it('matches the instrument code case-insensitively and stores its canonical code', async () => {
    await ingestText(t.wh, 'assessments', csv(HEADERS.assessments, 'P3,phq-9,2024-01-06,12,'));
    const row = await t.wh.db.selectFrom('assessments').select('instrument').where('patient_id', '=', 'P3').where('administered_on', '=', '2024-01-06').executeTakeFirstOrThrow();
    expect(row.instrument).toBe('PHQ-9');
  });
});

describe('item scores', () => {
  const ITEMS = 'patient_id,instrument,administered_on,total_score,item_1,item_2,item_3,item_4,item_5,item_6,item_7';

  it('rejects an item outside the item range and keeps the other rows', async () => {
    const s = await ingestText(t.wh, 'assessments', csv(ITEMS,
      'P2,GAD-7,2024-02-02,7,1,1,1,1,1,1,1',
      'P2,GAD-7,2024-02-09,,1,1,4,1,1,1,1',
      'P2,GAD-7,2024-02-16,0,0,0,0,0,0,0,0',
    ));
    expect(s).toMatchObject({ inserted: 2, rejected: 1 });
    expect(s.errors).toEqual([{ line: 3, column: 'item_3', value: '4', message: 'GAD-7 item_3 must be 0–3' }]);
  });

  it('rejects a total that disagrees with the sum of its items', async () => {
    const s = await ingestText(t.wh, 'assessments', csv(ITEMS,
      'P2,GAD-7,2024-03-01,7,1,1,1,1,1,1,1',
      'P2,GAD-7,2024-03-08,9,1,1,1,1,1,1,1',
      'P2,GAD-7,2024-03-15,14,2,2,2,2,2,2,2',
    ));
    expect(s).toMatchObject({ inserted: 2, rejected: 1 });
    expect(s.errors).toEqual([{ line: 3, column: 'total_score', value: '9', message: 'must equal the sum of the item scores (7)' }]);
  });

  it('computes the total from the items when only items are given', async () => {
    const s = await ingestText(t.wh, 'assessments', csv(ITEMS, 'P2,GAD-7,2024-04-01,,0,1,2,3,0,1,2'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
    const row = await t.wh.db.selectFrom('assessments').select(['total_score', 'items'])
      .where('patient_id', '=', 'P2').where('administered_on', '=', '2024-04-01').executeTakeFirstOrThrow();
    expect(row).toEqual({ total_score: 9, items: [0, 1, 2, 3, 0, 1, 2] });
  });

  it('rejects items-only rows with a missing item, since the total cannot be computed', async () => {
    const s = await ingestText(t.wh, 'assessments', csv(ITEMS, 'P2,GAD-7,2024-04-08,,0,1,,3,0,1,2'));
    expect(s.errors).toEqual([{ line: 2, column: 'total_score', value: null, message: 'is required: items 3 are missing, so the total cannot be computed' }]);
  });

  it('rejects an item beyond the instrument\'s item count', async () => {
    const s = await ingestText(t.wh, 'assessments', csv('patient_id,instrument,administered_on,total_score,item_4', 'P2,AUDIT-C,2024-04-10,2,1'));
    expect(s.errors).toEqual([{ line: 2, column: 'item_4', value: '1', message: 'AUDIT-C has 3 items' }]);
  });

  it('rejects an item that is not a number', async () => {
    const s = await ingestText(t.wh, 'assessments', csv('patient_id,instrument,administered_on,total_score,item_1', 'P2,AUDIT-C,2024-04-11,2,x'));
    expect(s.errors).toEqual([{ line: 2, column: 'item_1', value: 'x', message: 'must be a number' }]);
  });
});

describe('abstinence rules', () => {
  it('rejects a method outside the list', async () => {
    await expectRejected('abstinence', 'P1,2024-01-20,blood,alcohol,negative,,,', {
      column: 'method', value: 'blood', message: 'must be one of uds, breath, saliva, self_report',
    });
  });

  it('rejects a result outside the list', async () => {
    await expectRejected('abstinence', 'P1,2024-01-20,uds,alcohol,clean,,,', {
      column: 'result', value: 'clean', message: 'must be one of negative, positive, refused, invalid, missed',
    });
  });

  it('rejects days_used_past_30 above 30', async () => {
    await expectRejected('abstinence', 'P1,2024-01-21,self_report,alcohol,positive,,,31', {
      column: 'days_used_past_30', value: '31', message: 'must be a whole number from 0 to 30',
    });
  });

  it('rejects days_used_past_30 on a row that is not self_report', async () => {
    await expectRejected('abstinence', 'P1,2024-01-22,uds,alcohol,positive,,,3', {
      column: 'days_used_past_30', value: '3', message: 'is only allowed with method self_report',
    });
  });

  it('rejects a prescribed flag that is not a boolean', async () => {
    await expectRejected('abstinence', 'P1,2024-01-23,uds,opioids,positive,,maybe,', {
      column: 'prescribed', value: 'maybe', message: 'must be true or false',
    });
  });

  it('rejects an episode_id that belongs to another patient', async () => {
    await expectRejected('abstinence', 'P1,2024-01-24,uds,alcohol,negative,E3,,', {
      column: 'episode_id', value: 'E3', message: 'episode E3 belongs to patient P3, not P1',
    });
  });

  it('rejects an unknown patient_id', async () => {
    await expectRejected('abstinence', 'P404,2024-01-24,uds,alcohol,negative,,,', { column: 'patient_id', value: 'P404', message: /unknown patient_id/ });
  });

  it('defaults prescribed to false, lower-cases the substance and keeps days_used_past_30 on self_report', async () => {
    const s = await ingestText(t.wh, 'abstinence', csv(HEADERS.abstinence,
      'P3,2024-01-25,uds,Alcohol,negative,,,',
      'P3,2024-01-26,self_report,OPIOIDS,positive,,yes,4',
    ));
    expect(s).toMatchObject({ inserted: 2, rejected: 0 });
    const rows = await t.wh.db.selectFrom('abstinence_tests').select(['collected_on', 'substance', 'prescribed', 'days_used_past_30'])
      .where('patient_id', '=', 'P3').orderBy('collected_on').execute();
    expect(rows).toEqual([
      { collected_on: '2024-01-25', substance: 'alcohol', prescribed: false, days_used_past_30: null },
      { collected_on: '2024-01-26', substance: 'opioids', prescribed: true, days_used_past_30: 4 },
    ]);
  });

  it('treats substances differing only in case as one natural key', async () => {
    const s = await ingestText(t.wh, 'abstinence', csv(HEADERS.abstinence,
      'P3,2024-02-01,uds,Cannabis,negative,,,',
      'P3,2024-02-01,uds,cannabis,positive,,,',
    ));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
    expect(s.warnings.join(' ')).toMatch(/repeated a natural key/);
  });
});

describe('error reporting', () => {
  it('lists at most the first 100 errors in the summary and quarantines every rejected row', async () => {
    const bad = Array.from({ length: 150 }, (_, i) => `MANY${i},E1,2024-01-15,nope,,`);
    const s = await ingestText(t.wh, 'attendance', csv(HEADERS.attendance, 'MANYOK,E1,2024-01-15,attended,,', ...bad));
    expect(s).toMatchObject({ rows_read: 151, inserted: 1, rejected: 150 });
    expect(s.errors).toHaveLength(100);
    expect(s.errors[0]).toMatchObject({ line: 3, column: 'status', value: 'nope' });
    expect(s.errors[99]?.line).toBe(102);
    const stored = await t.wh.db.selectFrom('rejected_rows').select('line').where('batch_id', '=', s.batch_id).orderBy('line').execute();
    expect(stored.map((r) => r.line)).toEqual(Array.from({ length: 150 }, (_, i) => i + 3));
  });

  it('accepts an ISO date with a time of day and keeps only the date', async () => {
    const s = await ingestText(t.wh, 'attendance', csv(HEADERS.attendance, 'ISOT1,E1,2024-01-15T09:30:00Z,attended,,'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
    const row = await t.wh.db.selectFrom('attendance').select('session_date').where('session_id', '=', 'ISOT1').executeTakeFirstOrThrow();
    expect(row.session_date).toBe('2024-01-15');
  });
});

describe('follow-up interview rules', () => {
  it('rejects an interview_type outside the list', async () => {
    await expectRejected('followups', 'P1,six_month,2024-07-01,completed,,,,,,', {
      column: 'interview_type', value: 'six_month', message: 'must be one of intake, followup_6m, discharge, other',
    });
  });

  it('rejects a status outside the list', async () => {
    await expectRejected('followups', 'P1,followup_6m,2024-07-02,lost,,,,,,', {
      column: 'status', value: 'lost', message: 'must be one of completed, refused, not_located, deceased',
    });
  });

  it('rejects days_used_past_30 above 30 and accepts 30', async () => {
    await expectRejected('followups', 'P1,followup_6m,2024-07-03,completed,,31,,,,', {
      column: 'days_used_past_30', value: '31', message: 'must be a whole number from 0 to 30',
    });
    const s = await ingestText(t.wh, 'followups', csv(HEADERS.followups, 'P1,followup_6m,2024-07-04,completed,,30,,,,'));
    expect(s.rejected).toBe(0);
  });

  it('rejects a boolean answer that is not true or false', async () => {
    await expectRejected('followups', 'P1,followup_6m,2024-07-05,completed,,0,maybe,,,', {
      column: 'employed_or_in_school', value: 'maybe', message: 'must be true or false',
    });
  });

  it('rejects answers on an interview that was not completed, one error per answer', async () => {
    await expectRejected('followups', 'P1,followup_6m,2024-07-06,refused,,3,,yes,,', [
      { column: 'days_used_past_30', value: '3', message: 'must be empty unless status is completed (status is refused)' },
      { column: 'stable_housing', value: 'yes', message: 'must be empty unless status is completed (status is refused)' },
    ]);
  });

  it('rejects an unknown patient and an episode of another patient', async () => {
    await expectRejected('followups', 'PX,intake,2024-01-10,completed,,,,,,', {
      column: 'patient_id', value: 'PX', message: 'unknown patient_id: ingest the patient in patients first',
    });
    await expectRejected('followups', 'P1,intake,2024-01-11,completed,E2,,,,,', {
      column: 'episode_id', value: 'E2', message: 'episode E2 belongs to patient P2, not P1',
    });
  });

  it('rejects an interview date after the ingest date', async () => {
    await expectRejected('followups', `P1,followup_6m,2025-07-01,completed,,,,,,`, {
      column: 'interviewed_on', value: '2025-07-01', message: `must not be after the ingest date ${TODAY}`,
    });
  });
});
