import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EntityName } from '../../ingest/entities';
import type { IngestSummary } from '../../ingest/loader';
import { useTestDatabase } from '../harness/database';
import { csv, FIXTURES, ingestText, runCli, seedBasics } from './helpers';

// The round-2 entities (sites, clinicians) and the optional columns added to tracks,
// episodes and attendance (docs/formats.md "Entities" and "Row rules"): each rule at its
// boundaries, references to unknown sites and clinicians, corrections of the new columns,
// and files in the round-1 layout, which must load as before.
const t = useTestDatabase();

const EPISODES = 'episode_id,patient_id,track_code,admitted_on,site_code,clinician_id,first_contact_on,evaluated_on,planned_weeks,diagnoses';
const SHAPE = "letter, digit, alphanumeric, optional '.' and up to 4 alphanumerics";

beforeAll(async () => {
  await seedBasics(t.wh);
  await ingestText(t.wh, 'sites', csv('site_code,name,organization,state', 'NORTH,North clinic,Cascade Health,OR', 'SOUTH,South clinic,,'));
  await ingestText(t.wh, 'clinicians', csv('clinician_id,name,discipline,site_code,active', 'C1,Ada Lovelace,LCSW,NORTH,', 'C2,Alan Turing,psychiatry,SOUTH,false'));
});

let serial = 0;
const nextId = () => `R2E${++serial}`;

/** One episode row of EPISODES, admitted 2024-03-10 unless the fields say otherwise. */
function episode(f: Partial<Record<'site' | 'clinician' | 'contact' | 'evaluated' | 'weeks' | 'diagnoses', string>>, id = nextId()): string {
  const cell = (v: string | undefined) => (v === undefined ? '' : v.includes(',') || v.includes(';') ? `"${v}"` : v);
  return [id, 'P1', 'T1', '2024-03-10', f.site, f.clinician, f.contact, f.evaluated, f.weeks, f.diagnoses].map(cell).join(',');
}

async function ingestOne(entity: EntityName, header: string, row: string): Promise<IngestSummary> {
  const s = await ingestText(t.wh, entity, csv(header, row));
  expect(s.status).toBe('committed');
  expect(s.rows_read).toBe(1);
  return s;
}

async function accepted(row: string): Promise<void> {
  const s = await ingestOne('episodes', EPISODES, row);
  expect(s.errors).toEqual([]);
  expect(s.inserted + s.updated).toBe(1);
}

async function rejected(row: string, column: string, value: string, message: string | RegExp): Promise<void> {
  const s = await ingestOne('episodes', EPISODES, row);
  expect(s.rejected).toBe(1);
  expect(s.errors).toHaveLength(1);
  expect(s.errors[0]).toMatchObject({ line: 2, column, value });
  if (typeof message === 'string') expect(s.errors[0]?.message).toBe(message);
  else expect(s.errors[0]?.message).toMatch(message);
}

describe('sites and clinicians', () => {
  it('loads sites and clinicians with their optional columns, an empty active reading as true', async () => {
    const sites = await t.wh.db.selectFrom('sites').select(['site_code', 'name', 'organization', 'state']).orderBy('site_code').execute();
    expect(sites).toEqual([
      { site_code: 'NORTH', name: 'North clinic', organization: 'Cascade Health', state: 'OR' },
      { site_code: 'SOUTH', name: 'South clinic', organization: null, state: null },
    ]);
    const clinicians = await t.wh.db.selectFrom('clinicians').select(['clinician_id', 'discipline', 'site_code', 'active']).orderBy('clinician_id').execute();
    expect(clinicians).toEqual([
      { clinician_id: 'C1', discipline: 'LCSW', site_code: 'NORTH', active: true },
      { clinician_id: 'C2', discipline: 'psychiatry', site_code: 'SOUTH', active: false },
    ]);
  });

  it('rejects a clinician at an unknown site and lists the known sites', async () => {
    const s = await ingestText(t.wh, 'clinicians', csv('clinician_id,name,site_code', 'C9,Nobody,WEST', 'C10,Somebody,NORTH'));
    expect(s).toMatchObject({ inserted: 1, rejected: 1 });
    expect(s.errors).toEqual([{ line: 2, column: 'site_code', value: 'WEST', message: 'unknown site_code: ingest the site in sites first; known sites: NORTH, SOUTH' }]);
  });

  it('rejects a site without a name', async () => {
    const s = await ingestText(t.wh, 'sites', csv('site_code,name', 'EAST,'));
    expect(s.errors).toEqual([{ line: 2, column: 'name', value: null, message: 'is required (the site name)' }]);
  });
});

describe('episode intake dates', () => {
  it('accepts a first contact on the admission day', async () => {
    await accepted(episode({ contact: '2024-03-10' }));
  });

  it('rejects a first contact one day after admission', async () => {
    await rejected(episode({ contact: '2024-03-11' }), 'first_contact_on', '2024-03-11', 'must be on or before admitted_on (2024-03-10)');
  });

  it('accepts an evaluation on the first-contact day and on the admission day', async () => {
    await accepted(episode({ contact: '2024-03-01', evaluated: '2024-03-01' }));
    await accepted(episode({ contact: '2024-03-01', evaluated: '2024-03-10' }));
  });

  it('rejects an evaluation one day before first contact', async () => {
    await rejected(episode({ contact: '2024-03-01', evaluated: '2024-02-29' }), 'evaluated_on', '2024-02-29', 'must be on or after first_contact_on (2024-03-01)');
  });

  it('rejects an evaluation one day after admission, with or without a first contact', async () => {
    await rejected(episode({ contact: '2024-03-01', evaluated: '2024-03-11' }), 'evaluated_on', '2024-03-11', 'must be on or before admitted_on (2024-03-10)');
    await rejected(episode({ evaluated: '2024-03-11' }), 'evaluated_on', '2024-03-11', 'must be on or before admitted_on (2024-03-10)');
  });

  it('stores the intake dates as given', async () => {
    const id = nextId();
    await accepted(episode({ contact: '2024-02-20', evaluated: '2024-02-27' }, id));
    const row = await t.wh.db.selectFrom('episodes').select(['first_contact_on', 'evaluated_on']).where('episode_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ first_contact_on: '2024-02-20', evaluated_on: '2024-02-27' });
  });
});

describe('planned_weeks', () => {
  it.each(['1', '52'])('accepts %s weeks on an episode and on a track', async (weeks) => {
    await accepted(episode({ weeks }));
    const s = await ingestOne('tracks', 'track_code,name,planned_weeks', `PW${weeks},Planned,${weeks}`);
    expect(s.errors).toEqual([]);
  });

  it.each(['0', '53'])('rejects %s weeks on an episode and on a track', async (weeks) => {
    await rejected(episode({ weeks }), 'planned_weeks', weeks, 'must be a whole number from 1 to 52');
    const s = await ingestOne('tracks', 'track_code,name,planned_weeks', `PX${weeks},Planned,${weeks}`);
    expect(s.errors).toEqual([{ line: 2, column: 'planned_weeks', value: weeks, message: 'must be a whole number from 1 to 52' }]);
  });
});

describe('diagnoses', () => {
  it('stores ICD-10-CM codes upper-cased, with the dot after the category, as an array', async () => {
    const id = nextId();
    await accepted(episode({ diagnoses: 'f32.1; F1020 ;Z63.72;C4A' }, id));
    const row = await t.wh.db.selectFrom('episodes').select('diagnoses').where('episode_id', '=', id).executeTakeFirstOrThrow();
    expect(row.diagnoses).toEqual(['F32.1', 'F10.20', 'Z63.72', 'C4A']);
  });

  it('rejects the row naming the position of the bad code', async () => {
    await rejected(episode({ diagnoses: 'F32.1;3F2.1;F41.1' }), 'diagnoses', 'F32.1;3F2.1;F41.1', `code 2 of 3 '3F2.1' is not an ICD-10-CM code (${SHAPE})`);
  });

  it('rejects a code with more than four characters after the category', async () => {
    await rejected(episode({ diagnoses: 'F10.23456' }), 'diagnoses', 'F10.23456', `code 1 of 1 'F10.23456' is not an ICD-10-CM code (${SHAPE})`);
  });

  it('rejects a list of more than 50 codes', async () => {
    const many = Array.from({ length: 51 }, () => 'F10.20').join(';');
    await rejected(episode({ diagnoses: many }), 'diagnoses', many, 'has 51 codes; at most 50 are accepted');
  });

  it('rejects an empty code between two separators', async () => {
    await rejected(episode({ diagnoses: 'F32.1;;F41.1' }), 'diagnoses', 'F32.1;;F41.1', 'code 2 of 3 is empty');
  });
});

describe('references to sites and clinicians', () => {
  it('links an episode to a known site and clinician', async () => {
    const id = nextId();
    await accepted(episode({ site: 'NORTH', clinician: 'C1' }, id));
    const row = await t.wh.db.selectFrom('episodes').select(['site_code', 'clinician_id']).where('episode_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ site_code: 'NORTH', clinician_id: 'C1' });
  });

  it('rejects an episode at an unknown site, listing the known ones', async () => {
    await rejected(episode({ site: 'WEST' }), 'site_code', 'WEST', 'unknown site_code: ingest the site in sites first; known sites: NORTH, SOUTH');
  });

  it('rejects an episode with an unknown clinician, listing the known ones', async () => {
    await rejected(episode({ clinician: 'C404' }), 'clinician_id', 'C404', /^unknown clinician_id: ingest the clinician in clinicians first; known clinicians: C1, C10, C2$/);
  });

  it('stores a session facilitator and rejects an unknown one', async () => {
    const s = await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date,status,clinician_id', 'R2S1,E1,2024-01-15,attended,C1', 'R2S2,E1,2024-01-16,attended,C404'));
    expect(s).toMatchObject({ inserted: 1, rejected: 1 });
    expect(s.errors).toEqual([{ line: 3, column: 'clinician_id', value: 'C404', message: expect.stringMatching(/^unknown clinician_id: ingest the clinician in clinicians first/) }]);
    const row = await t.wh.db.selectFrom('attendance').select('clinician_id').where('session_id', '=', 'R2S1').executeTakeFirstOrThrow();
    expect(row.clinician_id).toBe('C1');
  });
});

describe('corrections of the new columns', () => {
  it('records the old and new site, clinician, dates, weeks and diagnoses when a row changes', async () => {
    const id = nextId();
    await accepted(episode({ site: 'NORTH', clinician: 'C1', contact: '2024-03-01', weeks: '8', diagnoses: 'F32.1' }, id));
    const s = await ingestOne('episodes', EPISODES, episode({ site: 'SOUTH', clinician: 'C2', contact: '2024-03-02', evaluated: '2024-03-05', weeks: '12', diagnoses: 'F32.1;F10.20' }, id));
    expect(s).toMatchObject({ updated: 1 });
    const c = await t.wh.db.selectFrom('corrections').select(['old', 'new']).where('batch_id', '=', s.batch_id).executeTakeFirstOrThrow();
    expect(c.old).toMatchObject({ site_code: 'NORTH', clinician_id: 'C1', first_contact_on: '2024-03-01', evaluated_on: null, planned_weeks: 8, diagnoses: ['F32.1'] });
    expect(c.new).toMatchObject({ site_code: 'SOUTH', clinician_id: 'C2', first_contact_on: '2024-03-02', evaluated_on: '2024-03-05', planned_weeks: 12, diagnoses: ['F32.1', 'F10.20'] });
  });

  it('clears a new column when the file has the column and the cell is empty', async () => {
    const id = nextId();
    await accepted(episode({ site: 'NORTH', diagnoses: 'F32.1' }, id));
    const s = await ingestOne('episodes', EPISODES, episode({ site: 'NORTH' }, id));
    expect(s).toMatchObject({ updated: 1 });
    const row = await t.wh.db.selectFrom('episodes').select('diagnoses').where('episode_id', '=', id).executeTakeFirstOrThrow();
    expect(row.diagnoses).toBeNull();
  });
});

describe('files in the round-1 layout', () => {
  const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

  it('load tracks, episodes and attendance without the new columns', async () => {
    for (const [entity, file] of [['tracks', 'round1-tracks.csv'], ['episodes', 'round1-episodes.csv'], ['attendance', 'round1-attendance.csv']] as const) {
      const s = await ingestText(t.wh, entity, fixture(file));
      expect(s, file).toMatchObject({ status: 'committed', inserted: 2 - (entity === 'tracks' ? 1 : 0), rejected: 0, warnings: [] });
    }
    const e = await t.wh.db.selectFrom('episodes').selectAll().where('episode_id', '=', 'R1E1').executeTakeFirstOrThrow();
    expect(e).toMatchObject({
      patient_id: 'P1', track_code: 'R1T', admitted_on: '2024-03-01', discharged_on: '2024-04-15', primary_substance: 'alcohol',
      site_code: null, clinician_id: null, first_contact_on: null, evaluated_on: null, planned_weeks: null, diagnoses: null,
    });
  });

  it('leave the new columns as stored when an older export of the same rows is ingested again', async () => {
    const header = 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance,site_code,clinician_id,first_contact_on,diagnoses';
    await ingestText(t.wh, 'episodes', csv(header, 'R1E1,P1,R1T,2024-03-01,2024-04-15,completed,Alcohol,NORTH,C1,2024-02-20,F10.20'));
    // The same rows again in the round-1 layout, with one real change (the substance of R1E2).
    const old = fixture('round1-episodes.csv').toString('utf8').replace('opioids', 'stimulants');
    const s = await ingestText(t.wh, 'episodes', old);
    expect(s).toMatchObject({ updated: 1, unchanged: 1, rejected: 0 });
    const e = await t.wh.db.selectFrom('episodes').select(['site_code', 'clinician_id', 'first_contact_on', 'diagnoses']).where('episode_id', '=', 'R1E1').executeTakeFirstOrThrow();
    expect(e).toEqual({ site_code: 'NORTH', clinician_id: 'C1', first_contact_on: '2024-02-20', diagnoses: ['F10.20'] });
    const c = await t.wh.db.selectFrom('corrections').select(['natural_key', 'old']).where('batch_id', '=', s.batch_id).execute();
    expect(c.map((r) => r.natural_key)).toEqual(['R1E2']);
    // A correction of an older file names only the columns the file had.
    expect(Object.keys(c[0]?.old ?? {}).sort()).toEqual(['admitted_on', 'discharge_reason', 'discharged_on', 'episode_id', 'patient_id', 'primary_substance', 'track_code']);
  });
});

describe('iop ingest sites|clinicians', () => {
  it('loads a sites file from the command line and prints the summary', () => {
    const r = runCli(t.url, ['ingest', 'sites', '-', '--json'], csv('site_code,name,state', 'CLI1,From the CLI,WA'));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ entity: 'sites', status: 'committed', inserted: 1, rejected: 0 });
  });
});
