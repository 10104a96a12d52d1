import { beforeAll, describe, expect, it } from 'vitest';
import { MeasureResponseSchema, type MeasureResponse } from '../../metrics/measures/schema';
import { useTestDatabase } from '../harness/database';
import { csv, ingestAll, ingestText, runCli } from '../ingest/helpers';

// Hand-built boundary cohort for the depression measures (docs/measures.md "Depression
// remission and response"), loaded through ingest and read back through `iop measures
// --rows`: every window edge, the month-end clamp, the age, index and baseline limits,
// each exclusion code, death, response at exactly 50%, and the last of two scores. Each
// case sits one day (or one point) on each side of its boundary, so moving a boundary by
// one day flips a label. The expected dates are worked by hand:
//   index 2024-01-10: +6 months = 2024-07-10, ±60 days = [2024-05-11, 2024-09-08], ±30 = [2024-06-10, 2024-08-09];
//                     +12 months = 2025-01-10, ±60 days = [2024-11-11, 2025-03-11];
//   index 2025-08-31: +6 months = 2026-02-28 (PostgreSQL clamps the 31st), ±60 = [2025-12-30, 2026-04-29].
const t = useTestDatabase();

const patients: string[] = [];
const episodes: string[] = [];
const scores: string[] = [];
let serial = 0;

interface Case {
  admitted?: string;
  discharged?: string;
  reason?: string;
  birth?: number | null;
  dx?: string;
  index?: number;
  indexOn?: string;
  /** PHQ-9 scores of the patient after the index: [date, score], linked to no episode. */
  later?: readonly (readonly [string, number])[];
}

/** One patient with one episode (discharged 2024-03-01 unless said) and its PHQ-9 index; returns the episode id. */
function add(name: string, c: Case = {}): string {
  serial += 1;
  const p = `P${serial}-${name}`;
  const e = `E${serial}-${name}`;
  const admitted = c.admitted ?? '2024-01-10';
  patients.push(`${p},${c.birth === null ? '' : c.birth ?? 1980},female`);
  episodes.push(`${e},${p},T1,${admitted},${c.discharged ?? (admitted < '2024-03-01' ? '2024-03-01' : '')},${c.reason ?? (admitted < '2024-03-01' ? 'completed' : '')},"${c.dx ?? 'F32.1'}"`);
  scores.push(`${p},PHQ-9,${c.indexOn ?? admitted},${c.index ?? 15},${e}`);
  for (const [on, score] of c.later ?? []) scores.push(`${p},PHQ-9,${on},${score},`);
  return e;
}

// dep-rem-6 window edges (±60 days around 2024-07-10)
const startIn = add('start-in', { later: [['2024-05-11', 3]] });
const startOut = add('start-out', { later: [['2024-05-10', 3]] });
const endIn = add('end-in', { later: [['2024-09-08', 3]] });
const endOut = add('end-out', { later: [['2024-09-09', 3]] });
// the month-end clamp: index 2025-08-31 → 2026-02-28, window [2025-12-30, 2026-04-29]
const clampStartIn = add('clamp-start-in', { admitted: '2025-08-31', later: [['2025-12-30', 2]] });
const clampStartOut = add('clamp-start-out', { admitted: '2025-08-31', later: [['2025-12-29', 2]] });
const clampEndIn = add('clamp-end-in', { admitted: '2025-08-31', later: [['2026-04-29', 2]] });
const clampEndOut = add('clamp-end-out', { admitted: '2025-08-31', later: [['2026-04-30', 2]] });
// age at the index date (2024 − birth year), index score and baseline window
const age11 = add('age-11', { birth: 2013, later: [['2024-07-10', 3]] });
const age12 = add('age-12', { birth: 2012, later: [['2024-07-10', 3]] });
const age18 = add('age-18', { birth: 2006, later: [['2024-07-10', 3]] });
const noBirthYear = add('no-birth-year', { birth: null, later: [['2024-07-10', 3]] });
const index9 = add('index-9', { index: 9, later: [['2024-07-10', 3]] });
const index10 = add('index-10', { index: 10, later: [['2024-07-10', 3]] });
const baselineDay7 = add('baseline-day-7', { indexOn: '2024-01-17', later: [['2024-07-17', 3]] });
const baselineDay8 = add('baseline-day-8', { indexOn: '2024-01-18', later: [['2024-07-18', 3]] });
// remission below 5; two scores in the window: only the last counts
const score4 = add('score-4', { later: [['2024-07-10', 4]] });
const score5 = add('score-5', { later: [['2024-07-10', 5]] });
const lastHigh = add('last-high', { later: [['2024-06-01', 3], ['2024-08-01', 12]] });
const lastLow = add('last-low', { later: [['2024-06-01', 12], ['2024-08-01', 3]] });
// diagnoses: each exclusion code, near misses, and the depression requirement
const EXCLUDED_CODES = ['F20.9', 'F25.0', 'F29', 'F30.10', 'F31.9', 'F34.0', 'F60.3', 'F84.0'] as const;
const excluded = EXCLUDED_CODES.map((code) => add(`dx-${code}`, { dx: `F32.1;${code}`, later: [['2024-07-10', 3]] }));
const NOT_EXCLUDED = ['F19.20', 'F34.8', 'F60.2', 'F41.1'] as const;
const notExcluded = NOT_EXCLUDED.map((code) => add(`near-${code}`, { dx: `F32.1;${code}`, later: [['2024-07-10', 3]] }));
const dysthymia = add('dx-F34.1', { dx: 'F34.1', later: [['2024-07-10', 3]] });
const recurrent = add('dx-F33.1', { dx: 'F33.1', later: [['2024-07-10', 3]] });
const anxietyOnly = add('dx-F41.1-only', { dx: 'F41.1', later: [['2024-07-10', 3]] });
// death: discharged died on the window's last day (excluded) or the day after (not)
const diedOnEnd = add('died-on-end', { discharged: '2024-09-08', reason: 'died', later: [['2024-07-10', 3]] });
const diedAfter = add('died-after', { discharged: '2024-09-09', reason: 'died', later: [['2024-07-10', 3]] });
// death recorded by a follow-up interview with status deceased, on the window's last day or the day after
const interviews: string[] = [];
const deceasedOnEnd = add('deceased-on-end', { later: [['2024-07-10', 3]] });
interviews.push(`P${serial}-deceased-on-end,followup_6m,2024-09-08,deceased`);
const deceasedAfter = add('deceased-after', { later: [['2024-07-10', 3]] });
interviews.push(`P${serial}-deceased-after,followup_6m,2024-09-09,deceased`);
// dep-rem-12 edges (±60 days around 2025-01-10)
const rem12StartIn = add('rem12-start-in', { later: [['2024-11-11', 3]] });
const rem12StartOut = add('rem12-start-out', { later: [['2024-11-10', 3]] });
const rem12EndIn = add('rem12-end-in', { later: [['2025-03-11', 3]] });
const rem12EndOut = add('rem12-end-out', { later: [['2025-03-12', 3]] });
// dep-resp-6: ±30 days around 2024-07-10, response at most 50% of the index (16)
const respStartIn = add('resp-start-in', { index: 16, later: [['2024-06-10', 8]] });
const respStartOut = add('resp-start-out', { index: 16, later: [['2024-06-09', 8]] });
const respEndIn = add('resp-end-in', { index: 16, later: [['2024-08-09', 8]] });
const respEndOut = add('resp-end-out', { index: 16, later: [['2024-08-10', 8]] });
const respHalf = add('resp-exactly-half', { index: 16, later: [['2024-07-10', 8]] });
const respAboveHalf = add('resp-above-half', { index: 16, later: [['2024-07-10', 9]] });
// an outcome score linked to a later episode of the patient counts
serial += 1;
patients.push('PL,1980,male');
episodes.push('EL1,PL,T1,2024-01-10,2024-03-01,completed,"F32.1"', 'EL2,PL,T1,2024-06-01,2024-09-30,completed,');
scores.push('PL,PHQ-9,2024-01-10,15,EL1', 'PL,PHQ-9,2024-07-01,3,EL2');

beforeAll(async () => {
  const today = { today: '2030-01-01' };
  await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'T1,Evening IOP,iop'), today);
  await ingestAll(t.wh, [
    ['patients', 'patient_id,birth_year,sex', patients],
    ['episodes', 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,diagnoses', episodes],
    ['assessments', 'patient_id,instrument,administered_on,total_score,episode_id', scores],
    ['followups', 'patient_id,interview_type,interviewed_on,status', interviews],
  ], today);
}, 120_000);

function measure(name: string, args: readonly string[] = []): MeasureResponse {
  const r = runCli(t.url, ['measures', name, '--rows', '--min-cell', '0', '--as-of', '2026-06-30', ...args]);
  expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn')).join('\n')).toBe('');
  expect(r.status).toBe(0);
  return MeasureResponseSchema.parse(JSON.parse(r.stdout));
}

const labelsOf = (r: MeasureResponse): Map<string, string> => new Map((r.rows ?? []).map((x) => [x.episode_id, x.label]));

describe('dep-rem-6 boundaries (CLI --rows)', () => {
  let rem6: MeasureResponse;
  let labels: Map<string, string>;
  beforeAll(() => {
    rem6 = measure('dep-rem-6');
    labels = labelsOf(rem6);
  });

  it('window edges at exactly ±60 days are in, ±61 out', () => {
    expect(labels.get(startIn)).toBe('remission');
    expect(labels.get(startOut)).toBe('no_follow_up');
    expect(labels.get(endIn)).toBe('remission');
    expect(labels.get(endOut)).toBe('no_follow_up');
    const row = rem6.rows?.find((x) => x.episode_id === startIn);
    expect(row).toMatchObject({ index_date: '2024-01-10', window: ['2024-05-11', '2024-09-08'], score_date: '2024-05-11', score: 3, track: 'T1' });
  });

  it('the month-end clamp: 2025-08-31 + 6 months = 2026-02-28', () => {
    expect(rem6.rows?.find((x) => x.episode_id === clampStartIn)?.window).toEqual(['2025-12-30', '2026-04-29']);
    expect(labels.get(clampStartIn)).toBe('remission');
    expect(labels.get(clampStartOut)).toBe('no_follow_up');
    expect(labels.get(clampEndIn)).toBe('remission');
    expect(labels.get(clampEndOut)).toBe('no_follow_up');
  });

  it('age 11 is out, 12 in; an unknown birth year counts and is noted', () => {
    expect(labels.has(age11)).toBe(false);
    expect(labels.get(age12)).toBe('remission');
    expect(labels.get(age18)).toBe('remission');
    expect(labels.get(noBirthYear)).toBe('remission');
    expect(rem6.notes).toEqual(['1 episode without a birth year was treated as eligible']);
  });

  it('index score 9 is out, 10 in; the index is the baseline score (day 7 in, day 8 out)', () => {
    expect(labels.has(index9)).toBe(false);
    expect(labels.get(index10)).toBe('remission');
    expect(labels.get(baselineDay7)).toBe('remission');
    expect(labels.has(baselineDay8)).toBe(false);
  });

  it('remission is a score below 5; of two scores in the window the last counts', () => {
    expect(labels.get(score4)).toBe('remission');
    expect(labels.get(score5)).toBe('no_remission');
    expect(labels.get(lastHigh)).toBe('no_remission');
    expect(rem6.rows?.find((x) => x.episode_id === lastHigh)).toMatchObject({ score_date: '2024-08-01', score: 12 });
    expect(labels.get(lastLow)).toBe('remission');
    expect(labels.get('EL1')).toBe('remission');
    expect(labels.has('EL2')).toBe(false);
  });

  it('each exclusion code excludes; near misses do not; a depression diagnosis is required', () => {
    for (const [i, code] of EXCLUDED_CODES.entries()) expect(labels.get(excluded[i] ?? ''), code).toBe('excluded');
    for (const [i, code] of NOT_EXCLUDED.entries()) expect(labels.get(notExcluded[i] ?? ''), code).toBe('remission');
    expect(labels.get(dysthymia)).toBe('remission');
    expect(labels.get(recurrent)).toBe('remission');
    expect(labels.has(anxietyOnly)).toBe(false);
  });

  it('a death on the last day of the window excludes, the day after does not', () => {
    expect(labels.get(diedOnEnd)).toBe('excluded');
    expect(labels.get(diedAfter)).toBe('remission');
    expect(labels.get(deceasedOnEnd)).toBe('excluded');
    expect(labels.get(deceasedAfter)).toBe('remission');
  });

  it('labels sum to the initial population; denominator = initial − exclusions − window_open; strata 12-17 and 18+', () => {
    const g = rem6.groups[0];
    if (!g || !('initial_population' in g)) throw new Error('no group');
    const sum = Object.values(g.labels).reduce<number>((s, v) => s + (v ?? 0), 0);
    expect(sum).toBe(g.initial_population);
    expect(g.initial_population).toBe(rem6.rows?.length);
    expect(g.denominator).toBe(g.initial_population - (g.exclusions ?? 0) - (g.window_open ?? 0));
    expect(g.exclusions).toBe(EXCLUDED_CODES.length + 2); // the codes, the died discharge and the deceased interview on the window end
    expect(rem6.strata.map((s) => s.key)).toEqual([{ age_band: '12-17' }, { age_band: '18+' }, { age_band: 'unknown' }]);
    const young = rem6.strata[0];
    expect(young && 'initial_population' in young ? young.initial_population : null).toBe(1);
    expect(rem6.definition).toMatchObject({ source: 'CCBHC DEP-REM-6', any_diagnosis: false, window: { months: 6, days_before: 60, days_after: 60 } });
  });

  it('--any-diagnosis drops the diagnosis requirement and says so', () => {
    const any = measure('dep-rem-6', ['--any-diagnosis']);
    expect(labelsOf(any).get(anxietyOnly)).toBe('remission');
    expect(any.definition).toMatchObject({ any_diagnosis: true, diagnoses: 'any' });
  });
});

describe('window_open: as_of one day before the window end, then on it', () => {
  it('is window_open the day before and decided on the day', () => {
    const before = labelsOf(measure('dep-rem-6', ['--as-of', '2024-09-07']));
    const on = labelsOf(measure('dep-rem-6', ['--as-of', '2024-09-08']));
    expect(before.get(endIn)).toBe('window_open');
    expect(on.get(endIn)).toBe('remission');
    // a death is known only once it is recorded by as_of
    expect(before.get(diedOnEnd)).toBe('window_open');
    expect(on.get(diedOnEnd)).toBe('excluded');
    expect(before.get(deceasedOnEnd)).toBe('window_open');
    expect(on.get(deceasedOnEnd)).toBe('excluded');
  });
});

describe('dep-rem-12 and dep-resp-6 boundaries', () => {
  it('dep-rem-12: ±60 days around index + 12 months', () => {
    const r = measure('dep-rem-12');
    const labels = labelsOf(r);
    expect(r.rows?.find((x) => x.episode_id === rem12StartIn)?.window).toEqual(['2024-11-11', '2025-03-11']);
    expect(labels.get(rem12StartIn)).toBe('remission');
    expect(labels.get(rem12StartOut)).toBe('no_follow_up');
    expect(labels.get(rem12EndIn)).toBe('remission');
    expect(labels.get(rem12EndOut)).toBe('no_follow_up');
    expect(r.definition.source).toBe('CMS159 / MIPS #370');
  });

  it('dep-resp-6: ±30 days; a score of exactly 50% of the index is a response', () => {
    const r = measure('dep-resp-6');
    const labels = labelsOf(r);
    expect(r.rows?.find((x) => x.episode_id === respStartIn)?.window).toEqual(['2024-06-10', '2024-08-09']);
    expect(labels.get(respStartIn)).toBe('response');
    expect(labels.get(respStartOut)).toBe('no_follow_up');
    expect(labels.get(respEndIn)).toBe('response');
    expect(labels.get(respEndOut)).toBe('no_follow_up');
    expect(labels.get(respHalf)).toBe('response');
    expect(labels.get(respAboveHalf)).toBe('no_response');
    expect(r.definition.source).toBe('NQF 1884');
  });
});
