import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExportSecretError } from '../../metrics/exports/pseudonym';
import { parseTedsDRange, tedsDischargeCsv, type ExtractOptions } from '../../metrics/exports/teds-d';
import { TEDS_D_COLUMNS } from '../../metrics/exports/teds-d-codes';
import type { Warehouse } from '../../warehouse/db';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText } from '../ingest/helpers';
import { day } from './fixtures';

// The TEDS-D discharge extract (docs/funder-reporting.md "TEDS-D discharge extract"): a
// hand-built episode set loaded through the real CSV loader, read back as the CSV the
// CLI and the API write. Expected codes are those of the SAMHSA TEDS-D 2021 codebook
// (public-use file; the variables and values are cited in metrics/exports/teds-d-codes.ts).
const t = useTestDatabase();

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
const OTHER_SECRET = 'another-secret-fedcba9876543210fedcba9876543210';
const RANGE = { from: '2024-01-01', to: '2024-12-31' };

/** The CASEID as RFC 2104 defines it, computed here independently of the code under test. */
const caseId = (id: string, secret = SECRET) => crypto.createHmac('sha256', secret).update(id).digest('hex').slice(0, 16);

interface Ep { id: string; track: string; admitted: string; discharged: string | null; reason: string | null; substance: string | null; patient: Patient }
interface Patient { birth: number | null; sex: string | null; race: string | null; ethnicity: string | null }
interface Report { episode: string; on: string; days: number | null; substance?: string; method?: string }

const WHITE_MALE_1990: Patient = { birth: 1990, sex: 'male', race: 'White', ethnicity: 'Not Hispanic or Latino' };

/**
 * The main set: every column takes a known value, every REASON code appears, and the
 * unknowns are −9. Row = [DISYR, AGE, GENDER, RACE, ETHNIC, SERVICES_D, REASON, LOS, SUB1, FREQ1_D].
 */
const MAIN: { ep: Ep; reports: Omit<Report, 'episode'>[]; row: number[] }[] = [
  { // age 2024 − 1990 = 34 → 6; 30 days → LOS 30; a report of no use 11 days before discharge → 1
    ep: { id: 'EPI-A', track: 'T-IOP', admitted: '2024-03-01', discharged: '2024-03-31', reason: 'completed', substance: 'alcohol', patient: WHITE_MALE_1990 },
    reports: [{ on: '2024-03-20', days: 0 }], row: [2024, 6, 1, 5, 4, 6, 1, 30, 2, 1],
  },
  { // admitted 2023: age 2023 − 2005 = 18 → 3; 45 days → 31; PHP → 6; daily use on the discharge day → 3
    ep: { id: 'EPI-B', track: 'T-PHP', admitted: '2023-12-01', discharged: '2024-01-15', reason: 'against_advice', substance: 'heroin',
      patient: { birth: 2005, sex: 'female', race: 'Black or African American', ethnicity: 'Hispanic or Latino' } },
    reports: [{ on: '2024-01-15', days: 30 }], row: [2024, 3, 2, 4, 5, 6, 2, 31, 5, 3],
  },
  { // discharged on `from`, the same day as admitted → LOS 1; age 12 → 1; an outpatient track → 7; no report → −9
    ep: { id: 'EPI-C', track: 'T-OP', admitted: '2024-01-01', discharged: '2024-01-01', reason: 'transferred', substance: 'Cannabis',
      patient: { birth: 2012, sex: 'other', race: 'Two or more races', ethnicity: 'Mexican' } },
    reports: [], row: [2024, 1, -9, 8, 2, 7, 4, 1, 4, -9],
  },
  { // discharged on `to`; over a year → 37; every demographic unknown; `opioids` spans SUB1 5 and 7 → −9; 12 days of use exactly 30 days before → 2
    ep: { id: 'EPI-D', track: 'T-NOLEVEL', admitted: '2022-12-01', discharged: '2024-12-31', reason: 'died', substance: 'opioids',
      patient: { birth: null, sex: 'unknown', race: 'Unknown', ethnicity: null } },
    reports: [{ on: '2024-12-01', days: 12 }], row: [2024, -9, -9, -9, -9, 6, 6, 37, -9, 2],
  },
  { // 90 days → 33; age 65 → 12; the OMB "American Indian or Alaska Native" spans RACE 1 and 2 → −9; the only report is 31 days before → −9
    ep: { id: 'EPI-E', track: 'T-IOP', admitted: '2024-01-02', discharged: '2024-04-01', reason: 'incarcerated', substance: 'Methamphetamine',
      patient: { birth: 1959, sex: 'male', race: 'American Indian or Alaska Native', ethnicity: 'Puerto Rican' } },
    reports: [{ on: '2024-03-01', days: 3 }], row: [2024, 12, 1, -9, 1, 6, 5, 33, 10, -9],
  },
  { // 31 days (over 29 February) → 31; age 11 is not a TEDS age → −9
    ep: { id: 'EPI-F', track: 'T-IOP', admitted: '2024-02-01', discharged: '2024-03-03', reason: 'terminated', substance: 'benzodiazepines',
      patient: { birth: 2013, sex: 'female', race: 'Asian', ethnicity: 'Cuban' } },
    reports: [], row: [2024, -9, 2, 6, 3, 6, 3, 31, 13, -9],
  },
  { // 60 days → 32; the last report wins (29 days → 2, not the earlier 0); a urine test is not a self-report
    ep: { id: 'EPI-G', track: 'T-IOP', admitted: '2024-07-01', discharged: '2024-08-30', reason: 'dropped_out', substance: 'none',
      patient: { birth: 1995, sex: 'male', race: 'Native Hawaiian or Other Pacific Islander', ethnicity: 'Not Hispanic or Latino' } },
    reports: [{ on: '2024-08-20', days: 0 }, { on: '2024-08-30', days: 29 }, { on: '2024-08-30', days: null, method: 'uds' }], row: [2024, 5, 1, 9, 4, 6, 2, 32, 1, 2],
  },
  { // one day → 1; upper-case text is matched; a report the day after discharge is out → −9
    ep: { id: 'EPI-H', track: 'T-IOP', admitted: '2024-09-01', discharged: '2024-09-02', reason: 'other', substance: 'Cocaine',
      patient: { birth: 1980, sex: 'female', race: 'WHITE', ethnicity: 'NOT HISPANIC OR LATINO' } },
    reports: [{ on: '2024-09-03', days: 0 }], row: [2024, 8, 2, 5, 4, 6, 7, 1, 3, -9],
  },
];

/** Not in [2024-01-01, 2024-12-31]: a day before, a day after, and an open episode. */
const OUTSIDE: Ep[] = [
  { id: 'EPI-X1', track: 'T-IOP', admitted: '2023-11-01', discharged: '2023-12-31', reason: 'completed', substance: 'alcohol', patient: WHITE_MALE_1990 },
  { id: 'EPI-X2', track: 'T-IOP', admitted: '2024-11-01', discharged: '2025-01-01', reason: 'completed', substance: 'alcohol', patient: WHITE_MALE_1990 },
  { id: 'EPI-X3', track: 'T-IOP', admitted: '2024-11-01', discharged: null, reason: null, substance: 'alcohol', patient: WHITE_MALE_1990 },
];

/** LOS band edges: discharge − admission in days → code (same day and one day both 1). */
const LOS_EDGES: [number, number][] = [
  [0, 1], [1, 1], [30, 30], [31, 31], [45, 31], [46, 32], [60, 32], [61, 33], [90, 33], [91, 34],
  [120, 34], [121, 35], [180, 35], [181, 36], [365, 36], [366, 37],
];
const losEpisodes: Ep[] = LOS_EDGES.map(([diff]) => ({
  id: `EPI-LOS-${String(diff).padStart(3, '0')}`, track: 'T-IOP', admitted: day('2024-06-30', -diff), discharged: '2024-06-30', reason: 'completed', substance: 'alcohol', patient: WHITE_MALE_1990,
}));

/** AGE band edges: age at admission (admitted 2024) → code. */
const AGE_EDGES: [number, number][] = [
  [11, -9], [12, 1], [14, 1], [15, 2], [17, 2], [18, 3], [20, 3], [21, 4], [24, 4], [25, 5], [29, 5], [30, 6], [34, 6],
  [35, 7], [39, 7], [40, 8], [44, 8], [45, 9], [49, 9], [50, 10], [54, 10], [55, 11], [64, 11], [65, 12], [90, 12],
];
const ageEpisodes: Ep[] = AGE_EDGES.map(([age]) => ({
  id: `EPI-AGE-${String(age).padStart(2, '0')}`, track: 'T-IOP', admitted: '2024-06-01', discharged: '2024-06-20', reason: 'completed', substance: 'alcohol',
  patient: { ...WHITE_MALE_1990, birth: 2024 - age },
}));

/**
 * FREQ1_D window edges, discharge 2024-10-31: the window is discharge − 30 … discharge. A
 * report 30 days before is in and one 31 days before is out, so moving the window by a day
 * either way fails one of the first two.
 */
const FREQ_DISCHARGE = '2024-10-31';
const FREQ_CASES: { id: string; reports: Omit<Report, 'episode'>[]; code: number }[] = [
  { id: 'EPI-FREQ-IN30', reports: [{ on: day(FREQ_DISCHARGE, -30), days: 0 }], code: 1 },
  { id: 'EPI-FREQ-OUT31', reports: [{ on: day(FREQ_DISCHARGE, -31), days: 0 }], code: -9 },
  { id: 'EPI-FREQ-EDGE-LAST', reports: [{ on: day(FREQ_DISCHARGE, -31), days: 30 }, { on: day(FREQ_DISCHARGE, -30), days: 1 }], code: 2 },
  { id: 'EPI-FREQ-DAY0', reports: [{ on: FREQ_DISCHARGE, days: 30 }], code: 3 },
  { id: 'EPI-FREQ-AFTER', reports: [{ on: day(FREQ_DISCHARGE, 1), days: 0 }], code: -9 },
  { id: 'EPI-FREQ-NODAYS', reports: [{ on: day(FREQ_DISCHARGE, -2), days: null }], code: -9 },
  // Two reports on one day (two substances): the one of most use.
  { id: 'EPI-FREQ-SAMEDAY', reports: [{ on: day(FREQ_DISCHARGE, -3), days: 0, substance: 'alcohol' }, { on: day(FREQ_DISCHARGE, -3), days: 4, substance: 'cannabis' }], code: 2 },
];
const freqEpisodes: Ep[] = FREQ_CASES.map((c) => ({
  id: c.id, track: 'T-IOP', admitted: '2024-08-01', discharged: FREQ_DISCHARGE, reason: 'completed', substance: 'alcohol', patient: WHITE_MALE_1990,
}));

const ALL_IN_RANGE: Ep[] = [...MAIN.map((m) => m.ep), ...losEpisodes, ...ageEpisodes, ...freqEpisodes];
const ALL: Ep[] = [...ALL_IN_RANGE, ...OUTSIDE];
const patientOf = (id: string) => `PAT-${id.slice(4)}`;
const cell = (v: string | number | null) => (v === null ? '' : String(v));

async function load(wh: Warehouse): Promise<void> {
  await ingestText(wh, 'tracks', csv('track_code,name,level_of_care', 'T-IOP,Evening IOP,iop', 'T-PHP,Day PHP,php', 'T-OP,Aftercare,op', 'T-NOLEVEL,Legacy track,'));
  await ingestText(wh, 'sites', csv('site_code,name', 'north,Northside Recovery Clinic'));
  await ingestText(wh, 'clinicians', csv('clinician_id,name,site_code', 'CLIN-1,Ada Lovelace,north'));
  await ingestText(wh, 'patients', csv('patient_id,birth_year,sex,race,ethnicity', ...ALL.map((e) =>
    [patientOf(e.id), cell(e.patient.birth), cell(e.patient.sex), cell(e.patient.race), cell(e.patient.ethnicity)].join(','))));
  await ingestText(wh, 'episodes', csv('episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance,site_code,clinician_id', ...ALL.map((e) =>
    [e.id, patientOf(e.id), e.track, e.admitted, cell(e.discharged), cell(e.reason), cell(e.substance), 'north', 'CLIN-1'].join(','))));
  const reports: Report[] = [
    ...MAIN.flatMap((m) => m.reports.map((r) => ({ ...r, episode: m.ep.id }))),
    ...FREQ_CASES.flatMap((c) => c.reports.map((r) => ({ ...r, episode: c.id }))),
  ];
  const summary = await ingestText(wh, 'abstinence', csv('patient_id,collected_on,method,substance,result,episode_id,days_used_past_30', ...reports.map((r) =>
    [patientOf(r.episode), r.on, r.method ?? 'self_report', r.substance ?? 'alcohol', r.days ? 'positive' : 'negative', r.episode, cell(r.days)].join(','))));
  expect(summary.rejected, JSON.stringify(summary.errors)).toBe(0);
}

async function extract(secret: string | undefined = SECRET, range = RANGE, options?: ExtractOptions): Promise<string> {
  let text = '';
  for await (const chunk of tedsDischargeCsv(t.wh, range, secret, options)) text += chunk;
  return text;
}

/** The extract read back with a CSV parser, keyed by CASEID. */
function rowsOf(text: string): { header: string[]; byCase: Map<string, number[]>; order: string[] } {
  const records = parse(text, { record_delimiter: '\r\n' }) as string[][];
  const [header = [], ...rows] = records;
  return {
    header,
    byCase: new Map(rows.map((r) => [r[0] ?? '', r.slice(1).map(Number)])),
    order: rows.map((r) => r[0] ?? ''),
  };
}

let text = '';
beforeAll(async () => {
  await load(t.wh);
  text = await extract();
});

describe('TEDS-D extract: columns', () => {
  it('writes the TEDS-D header and one CRLF row per episode discharged in [from, to], both ends included', () => {
    const { header, byCase } = rowsOf(text);
    expect(header).toEqual([...TEDS_D_COLUMNS]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(byCase.size).toBe(ALL_IN_RANGE.length);
    expect([...byCase.keys()].sort()).toEqual(ALL_IN_RANGE.map((e) => caseId(e.id)).sort());
    for (const e of OUTSIDE) expect(byCase.has(caseId(e.id)), e.id).toBe(false);
  });

  it('codes every column of the hand-built set as the codebook says, unknowns as −9', () => {
    const { byCase } = rowsOf(text);
    for (const m of MAIN) expect(byCase.get(caseId(m.ep.id)), m.ep.id).toEqual(m.row);
  });

  it('codes each discharge reason: completed 1, dropped out and against advice 2, terminated 3, transferred 4, incarcerated 5, died 6, other 7', () => {
    const { byCase } = rowsOf(text);
    const reasonOf = (id: string) => byCase.get(caseId(id))?.[TEDS_D_COLUMNS.indexOf('REASON') - 1];
    const expected: Record<string, number> = { completed: 1, dropped_out: 2, against_advice: 2, terminated: 3, transferred: 4, incarcerated: 5, died: 6, other: 7 };
    const seen = new Set<string>();
    for (const m of MAIN) {
      if (m.ep.reason === null) continue;
      seen.add(m.ep.reason);
      expect(reasonOf(m.ep.id), m.ep.reason).toBe(expected[m.ep.reason]);
    }
    expect([...seen].sort()).toEqual(Object.keys(expected).sort());
  });

  it('codes LOS at every band edge (30/31, 45/46, 60/61, 90/91, 120/121, 180/181, 365/366; a same-day stay is 1)', () => {
    const { byCase } = rowsOf(text);
    const los = TEDS_D_COLUMNS.indexOf('LOS') - 1;
    const got = LOS_EDGES.map(([diff]) => [diff, byCase.get(caseId(`EPI-LOS-${String(diff).padStart(3, '0')}`))?.[los]]);
    expect(got).toEqual(LOS_EDGES);
  });

  it('codes AGE at every band edge, with an age under 12 as −9', () => {
    const { byCase } = rowsOf(text);
    const age = TEDS_D_COLUMNS.indexOf('AGE') - 1;
    const got = AGE_EDGES.map(([a]) => [a, byCase.get(caseId(`EPI-AGE-${String(a).padStart(2, '0')}`))?.[age]]);
    expect(got).toEqual(AGE_EDGES);
  });

  it('takes FREQ1_D from the last self-report from discharge − 30 to discharge: day 30 before is in, day 31 out, the day after out', () => {
    const { byCase } = rowsOf(text);
    const freq = TEDS_D_COLUMNS.indexOf('FREQ1_D') - 1;
    expect(FREQ_CASES.map((c) => [c.id, byCase.get(caseId(c.id))?.[freq]])).toEqual(FREQ_CASES.map((c) => [c.id, c.code]));
  });
});

describe('TEDS-D extract: pseudonyms and identifiers', () => {
  it('contains no episode id, patient id, name, site or date of the warehouse', async () => {
    const ids = [
      ...(await t.wh.db.selectFrom('episodes').select('episode_id as id').execute()),
      ...(await t.wh.db.selectFrom('patients').select('patient_id as id').execute()),
      ...(await t.wh.db.selectFrom('clinicians').select(['clinician_id as id']).execute()),
    ].map((r) => r.id);
    expect(ids.length).toBe(2 * ALL.length + 1);
    const names = ['Ada Lovelace', 'Northside Recovery Clinic', 'north', 'Evening IOP', 'Aftercare', 'PAT-', 'EPI-'];
    const dates = (await sql<{ d: string }>`select distinct d::text as d from (select admitted_on as d from episodes union select discharged_on from episodes) x where d is not null`.execute(t.wh.db)).rows.map((r) => r.d);
    for (const needle of [...ids, ...names, ...dates]) expect(text.includes(needle), needle).toBe(false);
    // Nothing but the header, hex CASEIDs and integer codes.
    const [, ...lines] = text.trimEnd().split('\r\n');
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{16}(,-?\d+){10}$/);
  });

  it('gives the same CASEIDs, in the same order, on every run, and other CASEIDs under another secret', async () => {
    const again = await extract(SECRET, RANGE, { batchRows: 7, blocksPerFetch: 1 });
    expect(again).toBe(text);
    const other = rowsOf(await extract(OTHER_SECRET));
    const first = rowsOf(text);
    expect(other.byCase.size).toBe(first.byCase.size);
    for (const id of first.byCase.keys()) expect(other.byCase.has(id)).toBe(false);
    expect([...other.byCase.keys()].sort()).toEqual(ALL_IN_RANGE.map((e) => caseId(e.id, OTHER_SECRET)).sort());
    // The same codes under both secrets.
    for (const e of ALL_IN_RANGE) expect(other.byCase.get(caseId(e.id, OTHER_SECRET))).toEqual(first.byCase.get(caseId(e.id)));
  });

  it('orders rows neither by episode id nor by discharge date', () => {
    const { order } = rowsOf(text);
    const byId = [...ALL_IN_RANGE].sort((a, b) => a.id.localeCompare(b.id)).map((e) => caseId(e.id));
    const byDate = [...ALL_IN_RANGE].sort((a, b) => (a.discharged ?? '').localeCompare(b.discharged ?? '') || a.id.localeCompare(b.id)).map((e) => caseId(e.id));
    expect(order).not.toEqual(byId);
    expect(order).not.toEqual(byDate);
  });

  it('ends its transaction when the reader stops early (a closed download), while streaming or before', async () => {
    const openTransactions = async () => (await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`.execute(t.wh.db)).rows[0]?.n;
    // Stopped while streaming: one block a chunk, so the first holds some rows, not all.
    const reader = tedsDischargeCsv(t.wh, RANGE, SECRET, { batchRows: 5, blocksPerFetch: 1 });
    expect((await reader.next()).value).toMatch(/^CASEID,/);
    const rows = ((await reader.next()).value ?? '').split('\r\n').length - 1;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(ALL_IN_RANGE.length);
    expect(await openTransactions()).toBe(1);
    await reader.return(undefined);
    expect(await openTransactions()).toBe(0);
    // Stopped after the header.
    const early = tedsDischargeCsv(t.wh, RANGE, SECRET);
    expect((await early.next()).value).toMatch(/^CASEID,/);
    await early.return(undefined);
    expect(await openTransactions()).toBe(0);
    // The stored rows are whole.
    expect(await extract()).toBe(text);
  });

  it('refuses to run without a secret, or with one under 32 characters, before reading anything', async () => {
    const noSecret = tedsDischargeCsv(t.wh, RANGE, undefined);
    await expect(noSecret.next()).rejects.toThrow(ExportSecretError);
    await expect(extract('')).rejects.toThrow(/IOP_EXPORT_SECRET/);
    await expect(extract('x'.repeat(31))).rejects.toThrow(/at least 32/);
  });
});

describe('TEDS-D range', () => {
  it('needs both dates, real ones, with from not after to', () => {
    expect(parseTedsDRange({ from: '2024-01-01', to: '2024-12-31' })).toEqual({ ok: true, range: RANGE });
    const cases: [unknown, string][] = [
      [{ to: '2024-12-31' }, 'from'], [{ from: '2024-01-01' }, 'to'], [{ from: '2024-02-30', to: '2024-12-31' }, 'from'],
      [{ from: '2024-12-31', to: '2024-01-01' }, 'from'], [{ from: '2024-01-01', to: '9999-12-31' }, 'to'], [{ from: '2024-01-01', to: '2024-12-31', as_of: '2024-12-31' }, 'as_of'],
    ];
    for (const [raw, param] of cases) {
      const r = parseTedsDRange(raw);
      expect(r.ok, JSON.stringify(raw)).toBe(false);
      if (!r.ok) expect(r.error.details.map((d) => d.param), JSON.stringify(raw)).toContain(param);
    }
  });
});
