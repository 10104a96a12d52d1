import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeExtractRowsAfterIngest, tedsDischargeCsv } from '../../metrics/exports/teds-d';
import { TEDS_D_COLUMNS } from '../../metrics/exports/teds-d-codes';
import { singleClientKysely } from '../../warehouse/db';
import { refreshAll, refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText } from '../ingest/helpers';

// The TEDS-D extract keeps its coded rows between runs (metrics/exports/teds-d.ts,
// docs/funder-reporting.md "How the extract stays fast"). Every change an ingest can make
// to what a row is coded from (the episode, its patient, its self-reports, its track's level
// of care) must reach the next extract, which must equal an extract coded afresh from the
// facts. Expected codes: SAMHSA TEDS-D 2021 codebook (metrics/exports/teds-d-codes.ts).
const t = useTestDatabase();

const SECRET = 'stored-secret-0123456789abcdef0123456789abcdef';
const OTHER_SECRET = 'stored-other-fedcba9876543210fedcba9876543210';
const RANGE = { from: '2024-01-01', to: '2024-12-31' };
const caseId = (id: string, secret = SECRET) => crypto.createHmac('sha256', secret).update(id).digest('hex').slice(0, 16);
const col = (name: (typeof TEDS_D_COLUMNS)[number]) => TEDS_D_COLUMNS.indexOf(name);

async function extract(secret = SECRET, range = RANGE): Promise<string> {
  let text = '';
  for await (const chunk of tedsDischargeCsv(t.wh, range, secret, { batchRows: 3 })) text += chunk;
  return text;
}

/** The extract coded afresh: the stored rows forgotten first (as after a new secret). */
async function fresh(): Promise<string> {
  await sql`truncate teds_d_state`.execute(t.wh.db);
  return extract();
}

function rowOf(text: string, episodeId: string): string[] | undefined {
  const rows = parse(text, { record_delimiter: '\r\n' }) as string[][];
  return rows.find((r) => r[0] === caseId(episodeId));
}

async function stored(): Promise<{ lines: number; pending: string[] }> {
  const lines = (await sql<{ n: number }>`select count(*)::int as n from teds_d_lines`.execute(t.wh.db)).rows[0]?.n ?? 0;
  const pending = (await sql<{ episode_id: string }>`select episode_id from teds_d_pending order by 1`.execute(t.wh.db)).rows.map((r) => r.episode_id);
  return { lines, pending };
}

const EPISODES_HEADER = 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance';
const EPISODES = [
  'E1,P1,T-IOP,2024-03-01,2024-03-31,completed,alcohol',
  'E2,P2,T-IOP,2024-05-01,2024-06-10,dropped_out,heroin',
  'E3,P3,T-PHP,2024-02-01,2024-02-20,terminated,cannabis',
  'E4,P1,T-IOP,2024-11-01,,,alcohol',
  'E5,P3,T-IOP,2023-10-01,2023-12-31,completed,alcohol',
];

beforeAll(async () => {
  const load = async (entity: Parameters<typeof ingestText>[1], text: string) => {
    const s = await ingestText(t.wh, entity, text);
    expect(s.rejected, JSON.stringify(s.errors)).toBe(0);
  };
  await load('tracks', csv('track_code,name,level_of_care', 'T-IOP,Evening IOP,iop', 'T-PHP,Day PHP,php'));
  await load('patients', csv('patient_id,birth_year,sex,race,ethnicity', 'P1,1990,male,White,Not Hispanic or Latino',
    'P2,1985,female,Black or African American,Hispanic or Latino', 'P3,2000,male,Asian,Mexican'));
  await load('episodes', csv(EPISODES_HEADER, ...EPISODES));
  await load('abstinence', csv('patient_id,collected_on,method,substance,result,episode_id,days_used_past_30',
    'P1,2024-03-20,self_report,alcohol,negative,E1,0'));
});

describe('TEDS-D stored rows', () => {
  it('codes every discharge on the first extract and nothing on the next', async () => {
    const first = await extract();
    expect(await stored()).toEqual({ lines: 4, pending: [] });
    const state = (await sql<{ n: number }>`select count(*)::int as n from teds_d_state`.execute(t.wh.db)).rows[0]?.n;
    expect(state).toBe(1);
    expect(await extract()).toBe(first);
    // Stored rows hold CASEIDs and codes, never an id, a name or a date.
    const lines = (await sql<{ line: string }>`select line from teds_d_lines`.execute(t.wh.db)).rows.map((r) => r.line);
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{16}(,-?\d+){10}$/);
  });

  it('codes again an episode whose discharge an ingest corrected, and only it', async () => {
    await ingestText(t.wh, 'episodes', csv(EPISODES_HEADER, 'E1,P1,T-IOP,2024-03-01,2024-04-15,terminated,alcohol'));
    expect((await stored()).pending).toEqual(['E1']);
    const text = await extract();
    expect(await stored()).toEqual({ lines: 4, pending: [] });
    // LOS 45 days → 31; REASON terminated → 3; the report of 2024-03-20 is 26 days before → 1.
    expect(rowOf(text, 'E1')?.slice(1)).toEqual(['2024', '6', '1', '5', '4', '6', '3', '31', '2', '1']);
    expect(await fresh()).toBe(text);
  });

  it('codes again the episodes of a patient whose demographics changed', async () => {
    await ingestText(t.wh, 'patients', csv('patient_id,birth_year,sex,race,ethnicity', 'P2,1985,female,White,Puerto Rican'));
    const text = await extract();
    expect(rowOf(text, 'E2')?.[col('RACE')]).toBe('5');
    expect(rowOf(text, 'E2')?.[col('ETHNIC')]).toBe('1');
    expect(await fresh()).toBe(text);
  });

  it('codes again an episode with a new self-report in the 30 days before discharge', async () => {
    await ingestText(t.wh, 'abstinence', csv('patient_id,collected_on,method,substance,result,episode_id,days_used_past_30', 'P2,2024-06-09,self_report,heroin,positive,E2,30'));
    const text = await extract();
    expect(rowOf(text, 'E2')?.[col('FREQ1_D')]).toBe('3');
    expect(await fresh()).toBe(text);
  });

  it('adds an episode discharged since the last extract, and a new one', async () => {
    await ingestText(t.wh, 'episodes', csv(EPISODES_HEADER, 'E4,P1,T-IOP,2024-11-01,2024-12-31,completed,alcohol', 'E6,P2,T-PHP,2024-07-01,2024-07-01,other,cocaine'));
    const text = await extract();
    expect(rowOf(text, 'E4')?.[col('REASON')]).toBe('1');
    // P2: 2024 − 1985 = 39 → AGE 7; female 2; White 5 and Puerto Rican 1 since the correction above; PHP 6; other 7; same day 1; cocaine 3; no report −9.
    expect(rowOf(text, 'E6')?.slice(1)).toEqual(['2024', '7', '2', '5', '1', '6', '7', '1', '3', '-9']);
    expect(await fresh()).toBe(text);
  });

  it('codes every row again when a track changes its level of care (a tracks file refreshes no episode)', async () => {
    await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'T-IOP,Evening IOP,op'));
    const text = await extract();
    expect(rowOf(text, 'E1')?.[col('SERVICES_D')]).toBe('7');
    expect(rowOf(text, 'E3')?.[col('SERVICES_D')]).toBe('6');
    expect(await fresh()).toBe(text);
  });

  it('codes every row again under another secret, and forgets the first secret\'s rows', async () => {
    const before = await extract();
    const other = await extract(OTHER_SECRET);
    expect(rowOf(other, 'E1')?.[0]).toBe(undefined);
    expect((parse(other, { record_delimiter: '\r\n' }) as string[][]).some((r) => r[0] === caseId('E1', OTHER_SECRET))).toBe(true);
    const lines = (await sql<{ line: string }>`select line from teds_d_lines`.execute(t.wh.db)).rows.map((r) => r.line);
    expect(lines.some((l) => l.startsWith(caseId('E1')))).toBe(false);
    expect(await extract()).toBe(before);
  });

  it('forgets every stored row on a full model refresh', async () => {
    const before = await extract();
    await refreshAll(t.wh.db);
    expect(await stored()).toEqual({ lines: 0, pending: [] });
    expect(await extract()).toBe(before);
  });

  it('streams only the range asked for, from the same stored rows', async () => {
    const all = await extract(SECRET, { from: '1900-01-01', to: '2099-12-31' });
    const part = await extract(SECRET, { from: '2024-03-01', to: '2024-06-30' });
    const ids = (text: string) => (parse(text, { record_delimiter: '\r\n' }) as string[][]).slice(1).map((r) => r[0]);
    expect(ids(all)).toContain(caseId('E5'));
    expect(ids(part).sort()).toEqual([caseId('E1'), caseId('E2')].sort());
    // The same order: the range filters the shuffle, it does not reorder it.
    expect(ids(all).filter((id) => ids(part).includes(id))).toEqual(ids(part));
  });

  it('never keeps a row coded from facts an ingest was changing: the extract coded first, then the ingest committed', async () => {
    await ingestText(t.wh, 'episodes', csv(EPISODES_HEADER, 'E3,P3,T-PHP,2024-02-01,2024-02-20,transferred,cannabis'));
    // E3 is pending. An ingest's transaction changes E3 but has not reached its refresh; an
    // extract codes E3 from the committed facts meanwhile; then the ingest refreshes and commits.
    const client = await t.wh.pool.connect();
    try {
      await client.query('begin');
      await client.query(`update episodes set discharge_reason = 'incarcerated' where episode_id = 'E3'`);
      expect(rowOf(await extract(), 'E3')?.[col('REASON')]).toBe('4');
      await refreshEpisodes(singleClientKysely(client), ['E3']);
      await client.query('commit');
    } finally {
      client.release();
    }
    const after = await extract();
    expect(rowOf(after, 'E3')?.[col('REASON')]).toBe('5');
    expect(await fresh()).toBe(after);
  });

  it('never keeps a row coded from facts an ingest was changing: the ingest refreshed first, the extract waits for its commit', async () => {
    const client = await t.wh.pool.connect();
    let text: Promise<string> | undefined;
    try {
      await client.query('begin');
      await client.query(`update episodes set discharge_reason = 'died' where episode_id = 'E3'`);
      await refreshEpisodes(singleClientKysely(client), ['E3']);
      let settled = false;
      text = extract().finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(rowOf(await text, 'E3')?.[col('REASON')]).toBe('6');
  });

  it('codes what an ingest left pending right after it, when the process has the secret the rows were coded under', async () => {
    codeExtractRowsAfterIngest(SECRET);
    try {
      await extract();
      const summary = await ingestText(t.wh, 'episodes', csv(EPISODES_HEADER, 'E2,P2,T-IOP,2024-05-01,2024-06-10,terminated,heroin'));
      expect(summary.warnings).toEqual([]);
      expect(await stored()).toMatchObject({ pending: [] });
      const lines = (await sql<{ line: string }>`select line from teds_d_lines where episode_id = 'E2'`.execute(t.wh.db)).rows;
      expect(lines[0]?.line.split(',')[col('REASON')]).toBe('3');
      const text = await extract();
      expect(rowOf(text, 'E2')?.[col('REASON')]).toBe('3');
      expect(await fresh()).toBe(text);
      // Rows coded under another secret: the ingest leaves them pending for the extract.
      codeExtractRowsAfterIngest(OTHER_SECRET);
      await ingestText(t.wh, 'episodes', csv(EPISODES_HEADER, 'E2,P2,T-IOP,2024-05-01,2024-06-10,dropped_out,heroin'));
      expect((await stored()).pending).toEqual(['E2']);
      // No secret, or a short one: nothing is coded after an ingest.
      codeExtractRowsAfterIngest('short');
      await ingestText(t.wh, 'episodes', csv(EPISODES_HEADER, 'E2,P2,T-IOP,2024-05-01,2024-06-10,completed,heroin'));
      expect((await stored()).pending).toEqual(['E2']);
      expect(rowOf(await extract(), 'E2')?.[col('REASON')]).toBe('1');
    } finally {
      codeExtractRowsAfterIngest(undefined);
    }
  });
});
