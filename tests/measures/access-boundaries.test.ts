import { beforeAll, describe, expect, it } from 'vitest';
import { MeasureResponseSchema, type MeasureGroup, type MeasureResponse } from '../../metrics/measures/schema';
import { useTestDatabase } from '../harness/database';
import { csv, ingestAll, ingestText, runCli } from '../ingest/helpers';

// Hand-built boundary cohort for iet, niatx, i-serv and mbc (docs/measures.md), loaded
// through ingest and read back through `iop measures --rows`, as of Tuesday 2026-06-30.
// Each case sits one day on each side of its boundary, so moving a boundary by one day
// flips a label. Dates worked by hand (weekdays checked with a calendar):
//   IET: first contact 2026-01-05 → day 13 = 01-18, day 14 = 01-19; initiation 2026-02-02 → +34 = 03-08;
//        admission 06-17 → day 13 = as_of; initiation 05-27 → +34 = as_of.
//   I-SERV: Friday 2026-01-16 before Martin Luther King Day (Monday 01-19): business day 10 = Monday 02-02.
//        Tuesday 2022-12-20: Christmas (Sunday) observed Monday 12-26 and New Year's Day 2023 (Sunday) observed
//        Monday 01-02, so business day 10 = Thursday 2023-01-05.
//        As of 2026-06-30 with Juneteenth on Friday 06-19: first contact 06-15 is 10 business days back, 06-16 is 9.
const t = useTestDatabase();
const AS_OF = '2026-06-30';

const patients: string[] = [];
const episodes: string[] = [];
const sessions: string[] = [];
const scores: string[] = [];
let serial = 0;

interface Case {
  admitted: string;
  contact?: string;
  evaluated?: string;
  discharged?: string;
  substance?: string;
  /** [date, status] sessions (attended unless said). */
  sessions?: readonly (string | readonly [string, string])[];
  /** PHQ-9 scores linked to the episode. */
  scores?: readonly string[];
}

function add(name: string, c: Case): string {
  serial += 1;
  const p = `P${serial}`;
  const e = `E${serial}-${name}`;
  patients.push(`${p},1980,female`);
  episodes.push([e, p, 'T1', c.admitted, c.discharged ?? '', c.discharged ? 'completed' : '', c.contact ?? '', c.evaluated ?? '', c.substance ?? 'alcohol'].join(','));
  for (const [i, s] of (c.sessions ?? []).entries()) {
    const [on, status] = typeof s === 'string' ? [s, 'attended'] : s;
    sessions.push(`S${serial}-${i},${e},${on},${status}`);
  }
  for (const on of c.scores ?? []) scores.push(`${p},PHQ-9,${on},8,${e}`);
  return e;
}

// IET
const init13 = add('iet-init-13', { contact: '2026-01-05', admitted: '2026-01-10', sessions: ['2026-01-18'] });
const init14 = add('iet-init-14', { contact: '2026-01-05', admitted: '2026-01-10', sessions: ['2026-01-19'] });
const adm13 = add('iet-adm-13', { admitted: '2026-01-05', sessions: ['2026-01-18'] });
const adm14 = add('iet-adm-14', { admitted: '2026-01-05', sessions: ['2026-01-19'] });
const eng34 = add('iet-eng-34', { admitted: '2026-02-02', sessions: ['2026-02-02', '2026-02-10', '2026-03-08'] });
const eng35 = add('iet-eng-35', { admitted: '2026-02-02', sessions: ['2026-02-02', '2026-02-10', '2026-03-09'] });
const sameDay = add('iet-same-day', { admitted: '2026-02-02', sessions: ['2026-02-02', '2026-02-10', '2026-02-10'] });
const noneSubstance = add('iet-substance-none', { admitted: '2026-02-02', substance: 'none', sessions: ['2026-02-02'] });
const noSubstance = add('iet-substance-empty', { admitted: '2026-02-02', substance: '', sessions: ['2026-02-02'] });
const openInit = add('iet-open-day-12', { admitted: '2026-06-18' });
const closedInit = add('iet-closed-day-13', { admitted: '2026-06-17' });
const dischargedEarly = add('iet-discharged', { admitted: '2026-06-18', discharged: '2026-06-20' });
const closedEng = add('iet-eng-closed', { admitted: '2026-05-27', sessions: ['2026-05-27', '2026-06-10'] });
const openEng = add('iet-eng-open', { admitted: '2026-05-28', sessions: ['2026-05-28', '2026-06-10'] });

// I-SERV
const mlkIn = add('iserv-mlk-in', { contact: '2026-01-16', evaluated: '2026-01-20', admitted: '2026-02-02', sessions: ['2026-02-02'] });
const mlkOut = add('iserv-mlk-out', { contact: '2026-01-16', evaluated: '2026-01-23', admitted: '2026-02-03', sessions: ['2026-02-03'] });
const observedIn = add('iserv-observed-in', { contact: '2022-12-20', admitted: '2023-01-05', sessions: ['2023-01-05'] });
const observedOut = add('iserv-observed-out', { contact: '2022-12-20', admitted: '2023-01-06', sessions: ['2023-01-06'] });
const sameDayService = add('iserv-same-day', { contact: '2025-04-07', admitted: '2025-04-07', sessions: ['2025-04-07'] });
const waitClosed = add('iserv-no-service', { contact: '2026-06-15', admitted: '2026-06-17' });
const waitOpen = add('iserv-window-open', { contact: '2026-06-16', admitted: '2026-06-17' });
const noServiceDischarged = add('iserv-discharged', { contact: '2026-06-22', admitted: '2026-06-23', discharged: '2026-06-24' });

// NIATx: first contacts on 2025-03-03 with waits 2, 5 and 9 days; continuation at the 4th attended session
const wait2 = add('niatx-wait-2', { contact: '2025-03-03', admitted: '2025-03-05', discharged: '2025-04-30',
  sessions: ['2025-03-05', '2025-03-06', ['2025-03-07', 'no_show'], '2025-03-10', '2025-03-11'] });
const wait5 = add('niatx-wait-5', { contact: '2025-03-03', admitted: '2025-03-08', discharged: '2025-04-30',
  sessions: ['2025-03-08', ['2025-03-09', 'no_show'], ['2025-03-10', 'cancelled'], '2025-03-11', '2025-03-12'] });
const wait9 = add('niatx-wait-9', { contact: '2025-03-03', admitted: '2025-03-12',
  sessions: ['2025-03-12', '2025-03-13', '2025-03-14'] });
const fourthOnAsOf = add('niatx-4th-on-as-of', { admitted: '2026-06-01', sessions: ['2026-06-01', '2026-06-10', '2026-06-20', AS_OF] });
const fourthAfter = add('niatx-4th-after-as-of', { admitted: '2026-06-01', sessions: ['2026-06-01', '2026-06-10', '2026-06-20', '2026-07-01'] });

// MBC: admitted Monday 2025-09-01, sessions in weeks 0–4 (days 0, 7, 14, 21, 28), discharged on day 28
const mbcSessions = ['2025-09-01', '2025-09-08', '2025-09-15', '2025-09-22', '2025-09-29'];
const mbc80 = add('mbc-80', { admitted: '2025-09-01', discharged: '2025-09-29', sessions: mbcSessions, scores: ['2025-09-01', '2025-09-08', '2025-09-15', '2025-09-22'] });
// the 4th score on day 20 (week 2, already measured) instead of day 21: 3 of 5 weeks
const mbcBelow = add('mbc-below', { admitted: '2025-09-01', discharged: '2025-09-29', sessions: mbcSessions, scores: ['2025-09-01', '2025-09-08', '2025-09-15', '2025-09-21'] });
// a score the day after discharge (day 29) does not count; a week without a session is not an episode-week
const mbcAfter = add('mbc-after-discharge', { admitted: '2025-09-01', discharged: '2025-09-29', sessions: mbcSessions,
  scores: ['2025-09-01', '2025-09-08', '2025-09-15', '2025-09-30', '2025-10-06'] });
const mbcNoWeek = add('mbc-no-week', { admitted: '2025-09-01', discharged: '2025-09-29', scores: ['2025-09-01'] });

beforeAll(async () => {
  const today = { today: '2030-01-01' };
  await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'T1,Evening IOP,iop'), today);
  await ingestAll(t.wh, [
    ['patients', 'patient_id,birth_year,sex', patients],
    ['episodes', 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,first_contact_on,evaluated_on,primary_substance', episodes],
    ['attendance', 'session_id,episode_id,session_date,status', sessions],
    ['assessments', 'patient_id,instrument,administered_on,total_score,episode_id', scores],
  ], today);
}, 120_000);

function measure(name: string, args: readonly string[] = [], env: Record<string, string> = {}): MeasureResponse {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const r = runCli(t.url, ['measures', name, '--rows', '--min-cell', '0', '--as-of', AS_OF, ...args]);
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn')).join('\n')).toBe('');
    expect(r.status).toBe(0);
    return MeasureResponseSchema.parse(JSON.parse(r.stdout));
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

const labelsOf = (r: MeasureResponse): Map<string, string> => new Map((r.rows ?? []).map((x) => [x.episode_id, x.label]));

function onlyGroup(r: MeasureResponse): MeasureGroup {
  const g = r.groups[0];
  if (r.groups.length !== 1 || !g || !('initial_population' in g)) throw new Error('expected one published group');
  return g;
}

function expectLabelsSumToPopulation(r: MeasureResponse): void {
  const g = onlyGroup(r);
  expect(Object.values(g.labels).reduce<number>((s, v) => s + (v ?? 0), 0)).toBe(g.initial_population);
  expect(g.initial_population).toBe(r.rows?.length);
}

describe('iet (CLI --rows)', () => {
  let r: MeasureResponse;
  let labels: Map<string, string>;
  beforeAll(() => {
    r = measure('iet');
    labels = labelsOf(r);
  });

  it('initiates on day 13 from the first contact, not day 14; from the admission without a first contact', () => {
    expect(labels.get(init13)).toBe('initiated_only');
    expect(labels.get(init14)).toBe('not_initiated');
    expect(labels.get(adm13)).toBe('initiated_only');
    expect(labels.get(adm14)).toBe('not_initiated');
    expect(r.rows?.find((x) => x.episode_id === init13)).toMatchObject({ index_date: '2026-01-05', window: ['2026-01-05', '2026-02-21'], score_date: '2026-01-18' });
    expect(r.rows?.find((x) => x.episode_id === adm14)).toMatchObject({ index_date: '2026-01-05', window: ['2026-01-05', '2026-01-18'], score_date: null });
  });

  it('engages with sessions on 2 more distinct days through day 34 after initiation (35 out); two sessions on one day count once', () => {
    expect(labels.get(eng34)).toBe('engaged');
    expect(labels.get(eng35)).toBe('initiated_only');
    expect(labels.get(sameDay)).toBe('initiated_only');
    expect(r.rows?.find((x) => x.episode_id === sameDay)?.score).toBe(1);
  });

  it('leaves out episodes without a substance or with none', () => {
    expect(labels.has(noneSubstance)).toBe(false);
    expect(labels.has(noSubstance)).toBe(false);
  });

  it('is window_open before day 13 or day 34 after initiation is reached, and decided on it or at discharge', () => {
    expect(labels.get(openInit)).toBe('window_open');
    expect(labels.get(closedInit)).toBe('not_initiated');
    expect(labels.get(dischargedEarly)).toBe('not_initiated');
    expect(labels.get(openEng)).toBe('window_open');
    expect(labels.get(closedEng)).toBe('initiated_only');
  });

  it('gives the initiation and engagement rates over the same denominator, the labels summing to the population', () => {
    expectLabelsSumToPopulation(r);
    const g = onlyGroup(r);
    const lab = g.labels;
    const den = (lab.engaged ?? 0) + (lab.initiated_only ?? 0) + (lab.not_initiated ?? 0);
    expect(g.denominator).toBe(den);
    expect(g.rates?.initiation?.numerator).toBe((lab.engaged ?? 0) + (lab.initiated_only ?? 0));
    expect(g.rates?.engagement?.numerator).toBe(lab.engaged);
    expect(g.rate).toBe((lab.engaged ?? 0) / den);
    expect(r.definition).toMatchObject({ source: 'HEDIS IET (program adaptation)', initiation_days: 13, engagement_days: 34, engagement_sessions: 2 });
  });
});

describe('i-serv (CLI --rows)', () => {
  let r: MeasureResponse;
  let labels: Map<string, string>;
  beforeAll(() => {
    r = measure('i-serv');
    labels = labelsOf(r);
  });

  it('counts business days after a Friday first contact, skipping the Monday holiday: day 10 in, 11 out', () => {
    expect(labels.get(mlkIn)).toBe('within_10');
    expect(labels.get(mlkOut)).toBe('after_10');
    expect(r.rows?.find((x) => x.episode_id === mlkIn)).toMatchObject({ index_date: '2026-01-16', score: 10, score_date: '2026-02-02' });
  });

  it('skips the observed Monday of a Sunday holiday', () => {
    expect(labels.get(observedIn)).toBe('within_10');
    expect(labels.get(observedOut)).toBe('after_10');
    expect(labels.get(sameDayService)).toBe('within_10');
    expect(r.rows?.find((x) => x.episode_id === sameDayService)?.score).toBe(0);
  });

  it('is window_open while fewer than 10 business days have passed without a service, and no_service after or at discharge', () => {
    expect(labels.get(waitOpen)).toBe('window_open');
    expect(labels.get(waitClosed)).toBe('no_service');
    expect(labels.get(noServiceDischarged)).toBe('no_service');
    // episodes without a first contact are outside the population
    expect(labels.has(adm13)).toBe(false);
    expectLabelsSumToPopulation(r);
  });

  it('means the business days to evaluation and to first service over the index-date range', () => {
    const one = measure('i-serv', ['--from', '2026-01-16', '--to', '2026-01-16']);
    const g = onlyGroup(one);
    // evaluations on business days 1 (01-20) and 4 (01-23); services on days 10 and 11
    expect(g.statistics).toMatchObject({ evaluation_n: 2, evaluation_business_days_mean: 2.5, service_n: 2, service_business_days_mean: 10.5 });
    expect([g.numerator, g.denominator]).toEqual([1, 2]);
  });

  it('skips the holidays configured in IOP_HOLIDAYS', () => {
    const withHoliday = labelsOf(measure('i-serv', [], { IOP_HOLIDAYS: '2026-01-22' }));
    expect(withHoliday.get(mlkOut)).toBe('within_10');
  });
});

describe('niatx (CLI --rows)', () => {
  it('continues at the 4th attended session by as_of; an open episode short of it is window_open, a discharged one not_continued', () => {
    const r = measure('niatx');
    const labels = labelsOf(r);
    expect(labels.get(wait2)).toBe('continued');
    expect(labels.get(wait5)).toBe('not_continued');
    expect(labels.get(wait9)).toBe('window_open');
    expect(labels.get(fourthOnAsOf)).toBe('continued');
    expect(labels.get(fourthAfter)).toBe('window_open');
    expectLabelsSumToPopulation(r);
  });

  it('gives wait days (mean, median, type-7 IQR), the no-show rate and admissions per month as group statistics', () => {
    const g = onlyGroup(measure('niatx', ['--from', '2025-03-03', '--to', '2025-03-03']));
    // waits 2, 5 and 9 days; R quantile(c(2, 5, 9), c(.25, .5, .75)) = 3.5, 5, 7
    expect(g.statistics).toMatchObject({ wait_days_n: 3, wait_days_median: 5, wait_days_iqr: [3.5, 7] });
    expect(g.statistics?.wait_days_mean).toBeCloseTo(16 / 3, 12);
    // 4 + 3 + 3 attended, 2 no-shows (the cancelled session is no session)
    expect(g.statistics).toMatchObject({ attended: 10, no_show: 2, admissions: [{ month: '2025-03', admissions: 3 }] });
    expect(g.statistics?.no_show_rate).toBeCloseTo(2 / 12, 12);
  });
});

describe('mbc (CLI --rows)', () => {
  let r: MeasureResponse;
  let labels: Map<string, string>;
  beforeAll(() => {
    r = measure('mbc');
    labels = labelsOf(r);
  });

  it('is measured_80 at 4 of 5 episode-weeks and below_80 at 3 of 5 (a score on day 20 is week 2, day 21 week 3)', () => {
    expect(labels.get(mbc80)).toBe('measured_80');
    expect(labels.get(mbcBelow)).toBe('below_80');
    expect(r.rows?.find((x) => x.episode_id === mbc80)).toMatchObject({ score: 0.8, window: ['2025-09-01', '2025-09-29'] });
    expect(r.rows?.find((x) => x.episode_id === mbcBelow)?.score).toBe(0.6);
  });

  it('does not count a score after discharge, and leaves an episode without an attended week outside the denominator', () => {
    expect(labels.get(mbcAfter)).toBe('below_80');
    expect(labels.get(mbcNoWeek)).toBe('no_attended_week');
    expectLabelsSumToPopulation(r);
  });

  it('gives the share of episode-weeks measured, without a CI', () => {
    const g = onlyGroup(measure('mbc', ['--from', '2025-09-01', '--to', '2025-09-01']));
    expect(g.statistics).toEqual({ episode_weeks: 15, weeks_measured: 10, share_of_weeks: 10 / 15, suppressed: [] });
    expect([g.numerator, g.denominator, g.exclusions]).toEqual([1, 3, 1]);
  });
});

describe('CSV and FHIR output of the access and MBC measures', () => {
  it('prints FHIR MeasureReports whose counts equal the JSON (denominator − denominator-exclusion = the JSON denominator)', () => {
    for (const name of ['iet', 'mbc']) {
      const g = onlyGroup(measure(name));
      const fhir = runCli(t.url, ['measures', name, '--min-cell', '0', '--as-of', AS_OF, '--format', 'fhir']);
      expect(fhir.status, name).toBe(0);
      const report = JSON.parse(fhir.stdout) as { resourceType: string; group: { population: { code: { coding: { code: string }[] }; count: number }[] }[] };
      expect(report.resourceType).toBe('MeasureReport');
      const count = (code: string) => report.group[0]?.population.find((p) => p.code.coding[0]?.code === code)?.count ?? NaN;
      expect([count('initial-population'), count('denominator') - count('denominator-exclusion'), count('numerator')], name)
        .toEqual([g.initial_population, g.denominator, g.numerator]);
    }
  }, 120_000);

  it('prints a CSV', () => {
    const out = runCli(t.url, ['measures', 'niatx', '--min-cell', '0', '--as-of', AS_OF, '--format', 'csv']);
    expect(out.status).toBe(0);
    expect(out.stdout.split('\n')[0]).toContain('initial_population');
  }, 60_000);
});
