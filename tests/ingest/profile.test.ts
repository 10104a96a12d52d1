import { beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES } from '../../ingest/entities';
import { parseProfile, ProfileError, type Profile } from '../../ingest/profile';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText, seedBasics } from './helpers';

// Header profiles (docs/formats.md "Header profiles"): column renames, a date layout, value maps and
// defaults, validated strictly.
const t = useTestDatabase();

beforeAll(async () => {
  await seedBasics(t.wh);
});

function profile(json: unknown, entity: keyof typeof ENTITIES = 'attendance'): Profile {
  return parseProfile(json, 'test-profile.json', ENTITIES[entity].columns);
}

async function sessions(ids: string[]) {
  return t.wh.db.selectFrom('attendance').select(['session_id', 'session_date', 'status']).where('session_id', 'in', ids).orderBy('session_id').execute();
}

describe('column renames', () => {
  it('maps renamed headers onto canonical columns, matching the profile names case-insensitively', async () => {
    const p = profile({ columns: { 'Appt ID': 'session_id', 'Encounter': 'episode_id', 'Appt Date': 'session_date', 'Outcome': 'status' } });
    const s = await ingestText(t.wh, 'attendance', csv('appt id,ENCOUNTER, Appt Date ,Outcome', 'PR1,E1,2024-01-15,attended'), { profile: p });
    expect(s).toMatchObject({ inserted: 1, rejected: 0, warnings: [] });
    expect(await sessions(['PR1'])).toEqual([{ session_id: 'PR1', session_date: '2024-01-15', status: 'attended' }]);
  });

  it('names the file\'s own header in the raw rejected row', async () => {
    const p = profile({ columns: { 'Appt ID': 'session_id' } });
    const s = await ingestText(t.wh, 'attendance', csv('Appt ID,episode_id,session_date,status', 'PR2,E1,2024-01-15,maybe'), { profile: p });
    const raw = await t.wh.db.selectFrom('rejected_rows').select('raw').where('batch_id', '=', s.batch_id).executeTakeFirstOrThrow();
    expect(raw.raw).toEqual({ 'Appt ID': 'PR2', episode_id: 'E1', session_date: '2024-01-15', status: 'maybe' });
  });
});

describe('date_format', () => {
  it('reads MM/DD/YYYY dates (with or without leading zeros) and still accepts ISO dates', async () => {
    const p = profile({ date_format: 'MM/DD/YYYY' });
    const s = await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status',
      'DF1,E1,01/15/2024,attended', 'DF2,E1,1/5/2024,attended', 'DF3,E1,2024-01-20,attended', 'DF4,E1,15/01/2024,attended', 'DF5,E1,02/30/2024,attended',
    ), { profile: p });
    expect(s).toMatchObject({ inserted: 3, rejected: 2 });
    expect(s.errors).toEqual([
      { line: 5, column: 'session_date', value: '15/01/2024', message: 'must be a date as MM/DD/YYYY' },
      { line: 6, column: 'session_date', value: '02/30/2024', message: 'must be a date as MM/DD/YYYY' },
    ]);
    expect((await sessions(['DF1', 'DF2', 'DF3'])).map((r) => r.session_date)).toEqual(['2024-01-15', '2024-01-05', '2024-01-20']);
  });

  it('reads DD.MM.YYYY dates', async () => {
    const p = profile({ date_format: 'DD.MM.YYYY' });
    await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status', 'DF6,E1,03.02.2024,attended'), { profile: p });
    expect((await sessions(['DF6']))[0]?.session_date).toBe('2024-02-03');
  });

  it('reads Excel serial day numbers, ignoring the time fraction', async () => {
    const p = profile({ date_format: 'excel' });
    const s = await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status',
      'XL1,E1,45306,attended', 'XL2,E1,45306.75,attended', 'XL3,E1,2024-01-17,attended', 'XL4,E1,60,attended', 'XL5,E1,99999,attended',
    ), { profile: p, today: '2025-06-30' });
    expect((await sessions(['XL1', 'XL2', 'XL3'])).map((r) => r.session_date)).toEqual(['2024-01-15', '2024-01-15', '2024-01-17']);
    expect(s.errors).toEqual([
      { line: 5, column: 'session_date', value: '60', message: 'must be a date as excel' },
      { line: 6, column: 'session_date', value: '99999', message: 'must not be after the ingest date 2025-06-30' },
    ]);
  });
});

describe('values and defaults', () => {
  it('maps source codes onto canonical values ("Show" → attended), case-insensitively', async () => {
    const p = profile({ values: { status: { Show: 'attended', 'No Show': 'no_show', 'Late Cancel': 'cancelled' } } });
    const s = await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status',
      'VM1,E1,2024-01-22,Show', 'VM2,E1,2024-01-23,no show', 'VM3,E1,2024-01-24,LATE CANCEL', 'VM4,E1,2024-01-25,excused', 'VM5,E1,2024-01-26,Rescheduled',
    ), { profile: p });
    expect(s).toMatchObject({ inserted: 4, rejected: 1 });
    expect((await sessions(['VM1', 'VM2', 'VM3', 'VM4'])).map((r) => r.status)).toEqual(['attended', 'no_show', 'cancelled', 'excused']);
    expect(s.errors).toEqual([{ line: 6, column: 'status', value: 'Rescheduled', message: 'must be one of attended, no_show, cancelled, excused' }]);
  });

  it('fills a missing required column and empty cells from defaults (method uds)', async () => {
    const p = profile({ defaults: { method: 'uds' } }, 'abstinence');
    const s = await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,substance,result', 'P1,2024-01-28,alcohol,negative'), { profile: p });
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
    const s2 = await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result', 'P1,2024-01-29,,alcohol,negative', 'P1,2024-01-29,breath,alcohol,negative'), { profile: p });
    expect(s2).toMatchObject({ inserted: 2, rejected: 0 });
    const rows = await t.wh.db.selectFrom('abstinence_tests').select(['collected_on', 'method']).where('patient_id', '=', 'P1')
      .where('collected_on', 'in', ['2024-01-28', '2024-01-29']).orderBy('collected_on').orderBy('method').execute();
    expect(rows).toEqual([
      { collected_on: '2024-01-28', method: 'uds' },
      { collected_on: '2024-01-29', method: 'breath' },
      { collected_on: '2024-01-29', method: 'uds' },
    ]);
  });
});

describe('profile validation', () => {
  it('rejects an unknown profile key', () => {
    expect(() => profile({ colums: {} })).toThrow(ProfileError);
  });

  it('rejects a mapping onto a column the entity does not have, listing the known ones', () => {
    expect(() => profile({ columns: { Visit: 'visit_id' } })).toThrow(/columns maps to unknown column "visit_id".*Known columns: session_id, episode_id/);
    expect(() => profile({ defaults: { colour: 'x' } })).toThrow(/defaults names unknown column "colour"/);
    expect(() => profile({ values: { state: {} } })).toThrow(/values names unknown column "state"/);
  });

  it('rejects a date_format that is not a YYYY/MM/DD layout or excel', () => {
    expect(() => profile({ date_format: 'DD.MM.YY' })).toThrow(/date_format: must be "excel" or a layout/);
  });

  it('fills omitted sections with empty defaults', () => {
    expect(profile({})).toEqual({ columns: {}, date_format: null, values: {}, defaults: {} });
  });
});
