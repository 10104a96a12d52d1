import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText, TODAY } from './helpers';

// Episode linking of docs/warehouse.md: a row without episode_id belongs to the patient's
// episode whose window [admitted_on − 14, (discharged_on or as-of) + 14] holds its
// date; the latest admission wins; a row in no window is kept with episode_id null;
// and the outcome models are refreshed for the episodes each batch touched.
const t = useTestDatabase();
const EPISODES = 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason';
const ASSESS = 'patient_id,instrument,administered_on,total_score,episode_id';

beforeAll(async () => {
  await ingestText(t.wh, 'tracks', csv('track_code,name', 'T1,Evening IOP'));
  await ingestText(t.wh, 'patients', csv('patient_id,birth_year', 'PA,1980', 'PB,1985', 'PC,1990'));
  // PA: EA1 window [2023-12-27, 2024-02-15]; EA2 (open) window [2024-01-27, TODAY + 14]. PB: EB1 window [2024-02-16, 2024-04-14].
  await ingestText(t.wh, 'episodes', csv(EPISODES,
    'EA1,PA,T1,2024-01-10,2024-02-01,completed',
    'EA2,PA,T1,2024-02-10,,',
    'EB1,PB,T1,2024-03-01,2024-03-31,dropped_out',
  ));
});

async function linkOf(patient: string, instrument: string, on: string): Promise<string | null | undefined> {
  const row = await t.wh.db.selectFrom('assessments').select('episode_id')
    .where('patient_id', '=', patient).where('instrument', '=', instrument).where('administered_on', '=', on).executeTakeFirst();
  return row?.episode_id;
}

async function instrumentOutcome(episode: string, instrument: string) {
  return t.wh.db.selectFrom('episode_instrument_outcomes').select(['scores_n', 'baseline_on', 'baseline_score', 'followup_on', 'followup_score'])
    .where('episode_id', '=', episode).where('instrument', '=', instrument).executeTakeFirst();
}

describe('linking by date window', () => {
  it('links rows inside [admitted − 14, discharged + 14], boundaries included, and prefers the latest admission', async () => {
    const s = await ingestText(t.wh, 'assessments', csv(ASSESS,
      'PA,PHQ-9,2023-12-27,20,', // EA1's first day
      'PA,PHQ-9,2024-01-20,15,', // EA1 only
      'PA,PHQ-9,2024-02-05,12,', // EA1 and EA2: the later admission wins
      'PB,PHQ-9,2024-04-14,9,', // EB1's last day
    ));
    expect(s).toMatchObject({ inserted: 4, rejected: 0, warnings: [] });
    expect(await linkOf('PA', 'PHQ-9', '2023-12-27')).toBe('EA1');
    expect(await linkOf('PA', 'PHQ-9', '2024-01-20')).toBe('EA1');
    expect(await linkOf('PA', 'PHQ-9', '2024-02-05')).toBe('EA2');
    expect(await linkOf('PB', 'PHQ-9', '2024-04-14')).toBe('EB1');
  });

  it('keeps an explicit episode_id even where another window would win', async () => {
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PA,GAD-7,2024-02-05,6,EA1'));
    expect(await linkOf('PA', 'GAD-7', '2024-02-05')).toBe('EA1');
  });

  it('extends an open episode\'s window to the as-of date + 14', async () => {
    await ingestText(t.wh, 'assessments', csv(ASSESS, `PA,AUDIT-C,${TODAY},3,`));
    expect(await linkOf('PA', 'AUDIT-C', TODAY)).toBe('EA2');
  });

  it('keeps a row in no window with episode_id null and warns', async () => {
    const s = await ingestText(t.wh, 'assessments', csv(ASSESS, 'PA,PHQ-9,2023-12-26,21,', 'PB,PHQ-9,2024-04-15,8,', 'PC,PHQ-9,2024-04-15,8,'));
    expect(s).toMatchObject({ inserted: 3, rejected: 0 });
    expect(s.warnings).toEqual(['3 row(s) link to no episode; they are kept but excluded from episode metrics']);
    expect(await linkOf('PA', 'PHQ-9', '2023-12-26')).toBeNull();
    expect(await linkOf('PB', 'PHQ-9', '2024-04-15')).toBeNull();
  });

  it('links abstinence tests the same way', async () => {
    const s = await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result',
      'PA,2024-01-15,uds,alcohol,negative', 'PA,2024-02-12,uds,alcohol,negative', 'PB,2024-05-01,uds,alcohol,positive'));
    expect(s.warnings).toEqual(['1 row(s) link to no episode; they are kept but excluded from episode metrics']);
    const rows = await t.wh.db.selectFrom('abstinence_tests').select(['patient_id', 'collected_on', 'episode_id']).orderBy('patient_id').orderBy('collected_on').execute();
    expect(rows).toEqual([
      { patient_id: 'PA', collected_on: '2024-01-15', episode_id: 'EA1' },
      { patient_id: 'PA', collected_on: '2024-02-12', episode_id: 'EA2' },
      { patient_id: 'PB', collected_on: '2024-05-01', episode_id: null },
    ]);
  });
});

describe('relinking when episodes change', () => {
  it('links earlier unlinked rows when a new episode arrives and refreshes its models', async () => {
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PC,GAD-7,2024-06-01,14,', 'PC,GAD-7,2024-06-29,7,'));
    expect(await linkOf('PC', 'GAD-7', '2024-06-01')).toBeNull();
    expect(await instrumentOutcome('EC1', 'GAD-7')).toBeUndefined();

    await ingestText(t.wh, 'episodes', csv(EPISODES, 'EC1,PC,T1,2024-06-10,2024-07-10,completed'));
    expect(await linkOf('PC', 'GAD-7', '2024-06-01')).toBe('EC1');
    expect(await linkOf('PC', 'GAD-7', '2024-06-29')).toBe('EC1');
    expect(await linkOf('PC', 'PHQ-9', '2024-04-15')).toBeNull();
    expect(await instrumentOutcome('EC1', 'GAD-7')).toEqual({
      scores_n: 2, baseline_on: '2024-06-01', baseline_score: 14, followup_on: '2024-06-29', followup_score: 7,
    });
  });

  it('unlinks rows that fall out of a corrected window and refreshes the episode they left', async () => {
    expect(await instrumentOutcome('EB1', 'PHQ-9')).toMatchObject({ scores_n: 1 });
    // EB1 now ends 2024-03-20: its window closes on 2024-04-03, before the 2024-04-14 score.
    await ingestText(t.wh, 'episodes', csv(EPISODES, 'EB1,PB,T1,2024-03-01,2024-03-20,dropped_out'));
    expect(await linkOf('PB', 'PHQ-9', '2024-04-14')).toBeNull();
    expect(await instrumentOutcome('EB1', 'PHQ-9')).toBeUndefined();
    const ep = await t.wh.db.selectFrom('episode_outcomes').select('discharged_on').where('episode_id', '=', 'EB1').executeTakeFirstOrThrow();
    expect(ep.discharged_on).toBe('2024-03-20');
  });
});

describe('model refresh after each batch', () => {
  it('creates an episode_outcomes row for every new episode', async () => {
    const rows = await t.wh.db.selectFrom('episode_outcomes').select(['episode_id', 'patient_id', 'sessions_attended']).orderBy('episode_id').execute();
    expect(rows.map((r) => r.episode_id)).toEqual(['EA1', 'EA2', 'EB1', 'EC1']);
    expect(rows.every((r) => r.sessions_attended === 0)).toBe(true);
  });

  it('refreshes attendance counts and IET flags of the episodes an attendance batch touched', async () => {
    await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status',
      'A1,EA1,2024-01-10,attended', 'A2,EA1,2024-01-12,attended', 'A3,EA1,2024-01-15,attended', 'A4,EA1,2024-01-17,no_show',
      'A5,EB1,2024-03-05,cancelled',
    ));
    const rows = await t.wh.db.selectFrom('episode_outcomes')
      .select(['episode_id', 'sessions_attended', 'sessions_no_show', 'sessions_cancelled', 'initiation_on', 'engaged'])
      .where('episode_id', 'in', ['EA1', 'EB1']).orderBy('episode_id').execute();
    expect(rows).toEqual([
      { episode_id: 'EA1', sessions_attended: 3, sessions_no_show: 1, sessions_cancelled: 0, initiation_on: '2024-01-10', engaged: true },
      { episode_id: 'EB1', sessions_attended: 0, sessions_no_show: 0, sessions_cancelled: 1, initiation_on: null, engaged: false },
    ]);
  });

  it('refreshes symptom baselines and follow-ups after an assessment batch', async () => {
    expect(await instrumentOutcome('EA1', 'PHQ-9')).toEqual({
      scores_n: 2, baseline_on: '2023-12-27', baseline_score: 20, followup_on: '2024-01-20', followup_score: 15,
    });
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PA,PHQ-9,2024-01-25,6,'));
    expect(await instrumentOutcome('EA1', 'PHQ-9')).toMatchObject({ scores_n: 3, followup_on: '2024-01-25', followup_score: 6 });
  });

  it('refreshes the models when a corrected score keeps its episode link', async () => {
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PA,PHQ-9,2024-01-25,4,'));
    expect(await instrumentOutcome('EA1', 'PHQ-9')).toMatchObject({ scores_n: 3, followup_on: '2024-01-25', followup_score: 4 });
  });

  it('relinks a score whose explicit episode_id is corrected, and refreshes the episode it left', async () => {
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PA,PCL-5,2024-02-12,9,EA1'));
    expect(await linkOf('PA', 'PCL-5', '2024-02-12')).toBe('EA1');
    expect(await instrumentOutcome('EA1', 'PCL-5')).toMatchObject({ scores_n: 1 });
    // The explicit link removed: by date the score falls in both windows, and the later admission wins.
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PA,PCL-5,2024-02-12,9,'));
    expect(await linkOf('PA', 'PCL-5', '2024-02-12')).toBe('EA2');
    expect(await instrumentOutcome('EA1', 'PCL-5')).toBeUndefined();
    expect(await instrumentOutcome('EA2', 'PCL-5')).toMatchObject({ scores_n: 1, baseline_on: '2024-02-12', baseline_score: 9 });
  });

  it('refreshes both episodes when a session is corrected to another episode', async () => {
    await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status', 'A3,EA2,2024-02-15,attended'));
    const rows = await t.wh.db.selectFrom('episode_outcomes').select(['episode_id', 'sessions_attended'])
      .where('episode_id', 'in', ['EA1', 'EA2']).orderBy('episode_id').execute();
    expect(rows).toEqual([{ episode_id: 'EA1', sessions_attended: 2 }, { episode_id: 'EA2', sessions_attended: 1 }]);
  });

  it('refreshes the models when a corrected test result keeps its episode link', async () => {
    await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result', 'PA,2024-01-15,uds,alcohol,positive'));
    const ep = await t.wh.db.selectFrom('episode_outcomes').select(['tests_counted', 'tests_negative']).where('episode_id', '=', 'EA1').executeTakeFirstOrThrow();
    expect(ep).toEqual({ tests_counted: 1, tests_negative: 0 });
    await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result', 'PA,2024-01-15,uds,alcohol,negative'));
  });

  it('refreshes abstinence summaries after an abstinence batch', async () => {
    const before = await t.wh.db.selectFrom('episode_outcomes').select(['tests_counted', 'tests_negative', 'first_relapse_on']).where('episode_id', '=', 'EA1').executeTakeFirstOrThrow();
    expect(before).toEqual({ tests_counted: 1, tests_negative: 1, first_relapse_on: null });
    await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result', 'PA,2024-01-25,uds,alcohol,positive'));
    const after = await t.wh.db.selectFrom('episode_outcomes').select(['tests_counted', 'tests_negative', 'first_relapse_on']).where('episode_id', '=', 'EA1').executeTakeFirstOrThrow();
    expect(after).toEqual({ tests_counted: 2, tests_negative: 1, first_relapse_on: '2024-01-25' });
  });

  it('refreshes the sex and age of a patient\'s episodes after a patients batch', async () => {
    await ingestText(t.wh, 'patients', csv('patient_id,birth_year,sex', 'PA,1981,female'));
    const rows = await t.wh.db.selectFrom('episode_outcomes').select(['episode_id', 'sex', 'age_at_admission']).where('patient_id', '=', 'PA').orderBy('episode_id').execute();
    expect(rows).toEqual([
      { episode_id: 'EA1', sex: 'female', age_at_admission: 43 },
      { episode_id: 'EA2', sex: 'female', age_at_admission: 43 },
    ]);
  });
});

describe('an episode corrected to another patient', () => {
  it('moves its sessions to the new patient and relinks the old patient\'s dated rows', async () => {
    await ingestText(t.wh, 'patients', csv('patient_id,birth_year', 'PD,1970', 'PE,1971'));
    await ingestText(t.wh, 'episodes', csv(EPISODES, 'ED1,PD,T1,2024-05-01,2024-05-30,completed'));
    await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status', 'D1,ED1,2024-05-02,attended'));
    await ingestText(t.wh, 'assessments', csv(ASSESS, 'PD,PHQ-9,2024-05-02,11,'));
    expect(await linkOf('PD', 'PHQ-9', '2024-05-02')).toBe('ED1');

    const s = await ingestText(t.wh, 'episodes', csv(EPISODES, 'ED1,PE,T1,2024-05-01,2024-05-30,completed'));
    expect(s).toMatchObject({ updated: 1 });
    const session = await t.wh.db.selectFrom('attendance').select('patient_id').where('session_id', '=', 'D1').executeTakeFirstOrThrow();
    expect(session.patient_id).toBe('PE');
    expect(await linkOf('PD', 'PHQ-9', '2024-05-02')).toBeNull();
    expect(await instrumentOutcome('ED1', 'PHQ-9')).toBeUndefined();
    const ep = await t.wh.db.selectFrom('episode_outcomes').select(['patient_id', 'sessions_attended']).where('episode_id', '=', 'ED1').executeTakeFirstOrThrow();
    expect(ep).toEqual({ patient_id: 'PE', sessions_attended: 1 });
  });
});
