import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPARE_OUTCOMES as API_COMPARE_OUTCOMES, COMPARE_UNITS as API_COMPARE_UNITS } from '../../metrics/compare/request';
import { AGE_BAND_KEYS, GROUP_BY as API_GROUP_BY, LIST_FILTERS as API_LIST_FILTERS, MetricFiltersSchema, SEXES } from '../../metrics/filters';
import { DISCHARGE_BASIS_SERIES, SPC_PERIOD_BASES, SpcFiltersSchema } from '../../metrics/spc/index';
import { CompareQuerySchema } from '../../metrics/compare/request';
import {
  AGE_BAND_VALUES, COMPARE_OUTCOMES, COMPARE_UNITS, compareParams, DEFAULT_STATE, GROUP_BYS, LIST_FILTERS, metricParams, NO_LIST_FILTERS, PAGES, parseState, PERIODS,
  SEX_VALUES, SPC_BASES, SPC_DISCHARGE_SERIES, SPC_PERIODS, SPC_SERIES, spcParams, stateToSearch, type ListFilters, type ViewState,
} from '../../dashboard/src/state';

const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const code = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
/** A race or ethnicity as recorded: words with spaces and commas. */
const words = fc.stringMatching(/^[A-Za-z][A-Za-z ,]{0,20}[a-z]$/);
const listFilters: fc.Arbitrary<ListFilters> = fc.record({
  site: fc.uniqueArray(code, { maxLength: 3 }),
  clinician: fc.uniqueArray(code, { maxLength: 3 }),
  sex: fc.uniqueArray(fc.constantFrom(...SEX_VALUES), { maxLength: 2 }),
  age_band: fc.uniqueArray(fc.constantFrom(...AGE_BAND_VALUES), { maxLength: 2 }),
  race: fc.uniqueArray(words, { maxLength: 2 }),
  ethnicity: fc.uniqueArray(words, { maxLength: 2 }),
  substance: fc.uniqueArray(code, { maxLength: 2 }),
});
/** One dimension, or two different ones. */
const grouping = fc.tuple(fc.constantFrom(...GROUP_BYS), fc.option(fc.constantFrom(...GROUP_BYS), { nil: null }))
  .map(([groupBy, second]) => ({ groupBy, groupBy2: second === groupBy ? null : second }));

const viewState: fc.Arbitrary<ViewState> = fc.tuple(grouping, fc.record({
  page: fc.constantFrom(...PAGES),
  tracks: fc.uniqueArray(code, { maxLength: 4 }),
  from: fc.option(day, { nil: null }),
  to: fc.option(day, { nil: null }),
  asOf: fc.option(day, { nil: null }),
  filters: listFilters,
  period: fc.option(fc.constantFrom(...PERIODS), { nil: null }),
  instrument: fc.constantFrom('PHQ-9', 'GAD-7', 'PCL-5', 'AUDIT-C'),
  compareOutcome: fc.constantFrom(...COMPARE_OUTCOMES),
  compareBy: fc.constantFrom(...COMPARE_UNITS),
  spcSeries: fc.constantFrom(...SPC_SERIES),
  spcPeriod: fc.constantFrom(...SPC_PERIODS),
  spcBasis: fc.constantFrom(...SPC_BASES),
  laney: fc.boolean(),
  splits: fc.uniqueArray(day, { maxLength: 3 }).map((d) => d.sort()),
  episode: fc.option(code, { nil: null }),
})).map(([g, rest]) => ({ ...rest, ...g }));

describe('view state ↔ URL', () => {
  it('offers exactly the outcomes (in order) and units the API compares (a newly registered measure goes into dashboard/src/state.ts)', () => {
    expect([...COMPARE_OUTCOMES]).toEqual([...API_COMPARE_OUTCOMES]);
    expect([...COMPARE_UNITS].sort()).toEqual([...API_COMPARE_UNITS].sort());
  });

  it('reads back every view it writes (property)', () => {
    fc.assert(
      fc.property(viewState, (s) => {
        expect(parseState(stateToSearch(s))).toEqual(s);
      }),
    );
  });

  it('writes a bookmarkable query string with repeated track parameters', () => {
    const s: ViewState = { ...DEFAULT_STATE, page: 'symptoms', tracks: ['day', 'evening'], from: '2026-01-01', asOf: '2026-06-30', instrument: 'GAD-7' };
    expect(stateToSearch(s)).toBe('?page=symptoms&track=day&track=evening&from=2026-01-01&as_of=2026-06-30&instrument=GAD-7');
  });

  it('writes nothing for the default view', () => {
    expect(stateToSearch(DEFAULT_STATE)).toBe('');
    expect(parseState('')).toEqual(DEFAULT_STATE);
  });

  it('ignores malformed values instead of failing', () => {
    const s = parseState('?page=admin&from=01/02/2026&group_by=zip&period=week&track=&track=day&track=day');
    expect(s).toEqual({ ...DEFAULT_STATE, tracks: ['day'] });
  });

  it('turns a view into the API filters of docs/cli.md', () => {
    const s: ViewState = { ...DEFAULT_STATE, tracks: ['day', 'evening'], to: '2026-03-31', groupBy: 'period', period: 'quarter' };
    expect(metricParams(s, { instrument: 'PHQ-9' }).toString()).toBe('track=day&track=evening&to=2026-03-31&group_by=period&period=quarter&instrument=PHQ-9');
  });

  it('offers exactly the API\'s dimensions and filters (metrics/filters.ts), and its sex and age-band values', () => {
    expect([...GROUP_BYS]).toEqual([...API_GROUP_BY]);
    expect([...LIST_FILTERS]).toEqual([...API_LIST_FILTERS]);
    expect([...SEX_VALUES]).toEqual([...SEXES]);
    expect([...AGE_BAND_VALUES]).toEqual([...AGE_BAND_KEYS]);
    expect(Object.keys(NO_LIST_FILTERS)).toEqual([...API_LIST_FILTERS]);
  });

  it('passes the dimension filters and a two-way grouping to every aggregate request, as the API reads them', () => {
    const s: ViewState = {
      ...DEFAULT_STATE, tracks: ['day'], groupBy: 'site', groupBy2: 'race',
      filters: { ...NO_LIST_FILTERS, site: ['S1', 'S2'], clinician: ['C01'], sex: ['female'], age_band: ['18-25'], race: ['black or african american'], ethnicity: ['hispanic or latino'], substance: ['opioids'] },
    };
    const scope = 'track=day&site=S1&site=S2&clinician=C01&sex=female&age_band=18-25&race=black+or+african+american&ethnicity=hispanic+or+latino&substance=opioids';
    expect(metricParams(s).toString()).toBe(`${scope}&group_by=site%2Crace`);
    expect(compareParams(s, 'clinician').toString()).toBe(`${scope}&instrument=PHQ-9&by=clinician`);
    expect(spcParams(s).toString()).toBe(`${scope}&period=month`);
    expect(stateToSearch(s)).toBe(`?${scope}&group_by=site%2Crace`);
    expect(parseState(stateToSearch(s))).toEqual(s);
    // The API accepts each of them (the schemas the routes parse with).
    const q = (p: URLSearchParams) => Object.fromEntries([...new Set(p.keys())].map((k) => [k, p.getAll(k).length > 1 ? p.getAll(k) : p.get(k)]));
    expect(MetricFiltersSchema.safeParse(q(metricParams(s))).success).toBe(true);
    expect(CompareQuerySchema.safeParse(q(compareParams(s, 'clinician'))).success).toBe(true);
    expect(SpcFiltersSchema.safeParse(q(spcParams(s))).success).toBe(true);
  });

  it('reads a two-way group_by from the URL and drops a repeated or unknown second dimension', () => {
    expect(parseState('?group_by=track,race')).toMatchObject({ groupBy: 'track', groupBy2: 'race' });
    expect(parseState('?group_by=sex,sex')).toMatchObject({ groupBy: 'sex', groupBy2: null });
    expect(parseState('?group_by=sex,zip')).toMatchObject({ groupBy: 'sex', groupBy2: null });
    expect(parseState('?site=%20&site=S1&site=S1').filters.site).toEqual(['S1']);
  });

  it('turns the QI page’s view into the SPC filters (split repeats; the instrument only for remission)', () => {
    const s: ViewState = { ...DEFAULT_STATE, page: 'qi', tracks: ['day'], spcSeries: 'remission', spcPeriod: 'quarter', laney: true, splits: ['2025-06-01', '2026-01-01'] };
    expect(spcParams(s).toString()).toBe('track=day&period=quarter&laney=true&split=2025-06-01&split=2026-01-01&instrument=PHQ-9');
    expect(stateToSearch(s)).toBe('?page=qi&track=day&series=remission&spc_period=quarter&laney=true&split=2025-06-01&split=2026-01-01');
    expect(spcParams({ ...s, spcSeries: 'completion' }).has('instrument')).toBe(false);
  });

  it('sends period_basis=discharge only for the series the API charts by discharge period (the same list as the API\'s)', () => {
    expect([...SPC_DISCHARGE_SERIES]).toEqual([...DISCHARGE_BASIS_SERIES]);
    expect([...SPC_BASES]).toEqual([...SPC_PERIOD_BASES]);
    const s: ViewState = { ...DEFAULT_STATE, page: 'qi', spcSeries: 'positive-discharge', spcBasis: 'discharge' };
    expect(spcParams(s).toString()).toBe('period=month&period_basis=discharge');
    expect(stateToSearch(s)).toBe('?page=qi&series=positive-discharge&spc_basis=discharge');
    expect(spcParams({ ...s, spcSeries: 'attendance' }).has('period_basis')).toBe(false);
    expect(spcParams({ ...s, spcBasis: 'admission' }).has('period_basis')).toBe(false);
  });
});
