import { beforeAll, describe, expect, it } from 'vitest';
import { AdjustedComparisonSchema, type AdjustedComparison } from '../../metrics/compare/schema';
import { useTestDatabase } from '../harness/database';
import { ingestAll, iop, writeCsvs } from '../metrics/cli';
import { matchesPrinted, readReference } from '../stats/reference';

/**
 * The logistic regression through the product (ingest → `iop compare`) against a published
 * R `glm` summary: R `datasets::infert`, the example of `?infert`,
 * `glm(case ~ spontaneous + induced, data = infert, family = binomial())` prints
 * (Intercept) −1.7079 (SE 0.2677), spontaneous 1.1972 (0.2116), induced 0.4181 (0.2056);
 * null deviance 316.17 on 247 df, residual deviance 279.61 on 245 df, AIC 285.61
 * (public knitted output, find_string hit id 38927403863; data in
 * tests/reference/published/infert.csv, written from R 4.2.2's datasets::infert).
 *
 * Mapping onto episodes: each of the 248 women is an episode admitted 2024-01-08 and
 * discharged 2024-03-04, `completed` when case = 1 and `dropped_out` otherwise (so the
 * outcome `completion` is `case`); `spontaneous` is the baseline score on a custom
 * instrument INFERT-SPONT (0–2) recorded on the admission day; `induced` is the age at
 * admission (birth year 2024 − induced). The unit is the education level as a track.
 */
const t = useTestDatabase();
type Row = (string | number | null)[];

function build(): Record<string, Row[]> {
  const rows = readReference('infert.csv');
  const tracks = new Map([['0-5yrs', 'edu0'], ['6-11yrs', 'edu6'], ['12+ yrs', 'edu12']]);
  const patients: Row[] = [['patient_id', 'birth_year', 'sex']];
  const episodes: Row[] = [['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason']];
  const assessments: Row[] = [['patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id']];
  rows.forEach((r, i) => {
    const id = i + 1;
    patients.push([`P${id}`, 2024 - Number(r.induced), 'female']);
    episodes.push([`E${id}`, `P${id}`, tracks.get(r.education ?? '') ?? 'x', '2024-01-08', '2024-03-04', r.case === '1' ? 'completed' : 'dropped_out']);
    assessments.push([`P${id}`, 'INFERT-SPONT', '2024-01-08', Number(r.spontaneous), `E${id}`]);
  });
  return {
    tracks: [['track_code', 'name'], ...[...tracks.values()].map((c) => [c, `Education ${c}`])],
    instruments: [['code', 'name', 'min_score', 'max_score', 'higher_is_better'], ['INFERT-SPONT', 'Prior spontaneous abortions (R infert)', 0, 2, 'false']],
    patients, episodes, assessments,
  };
}

let response: AdjustedComparison;

beforeAll(() => {
  ingestAll(t.url, writeCsvs(build()), ['tracks', 'instruments', 'patients', 'episodes', 'assessments']);
  const run = iop(t.url, ['compare', 'completion', '--by', 'track', '--adjust-for', 'baseline,age', '--instrument', 'INFERT-SPONT',
    '--as-of', '2025-01-01', '--min-cell', '0']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  response = AdjustedComparisonSchema.parse(JSON.parse(run.stdout));
}, 300_000);

describe('iop compare reproduces R glm on the infert example, through ingest', () => {
  it('prints the published coefficients and standard errors', () => {
    const printed: [string, string, string][] = [['(Intercept)', '-1.7079', '0.2677'], ['baseline', '1.1972', '0.2116'], ['age', '0.4181', '0.2056']];
    expect(response.model.status).toBe('ok');
    expect(response.model.coefficients.map((c) => c.term)).toEqual(printed.map(([term]) => term));
    printed.forEach(([, est, se], j) => {
      expect(matchesPrinted(response.model.coefficients[j]?.estimate ?? null, est)).toBe(true);
      expect(matchesPrinted(response.model.coefficients[j]?.std_error ?? null, se)).toBe(true);
    });
  });

  it('prints the published deviances, degrees of freedom and AIC', () => {
    expect(matchesPrinted(response.model.null_deviance, '316.17')).toBe(true);
    expect(matchesPrinted(response.model.deviance, '279.61')).toBe(true);
    expect(matchesPrinted(response.model.aic, '285.61')).toBe(true);
    expect(response.model.df_null).toBe(247);
    expect(response.model.df_residual).toBe(245);
    expect(response.notes).toEqual({ episodes: 248, without_baseline: 0, without_age: 0, modelled: 248 });
  });

  it('gives each unit an expected count from the model, summing to the observed total', () => {
    const units = response.units.filter((u) => 'n' in u);
    expect(units.map((u) => u.key)).toEqual(['edu0', 'edu12', 'edu6']);
    const observed = units.reduce((s, u) => s + (u.observed ?? 0), 0);
    const expected = units.reduce((s, u) => s + (u.expected ?? 0), 0);
    expect(observed).toBe(83);
    // A logistic model with an intercept reproduces the total: Σ fitted = Σ y.
    expect(expected).toBeCloseTo(83, 6);
    for (const u of units) {
      expect(u.oe).toBeCloseTo((u.observed ?? 0) / (u.expected ?? 1), 12);
      expect(u.position).not.toBeNull();
    }
  });
});

describe('iop compare on the command line', () => {
  it('prints the model table and the units with --format table', () => {
    const run = iop(t.url, ['compare', 'completion', '--adjust-for', 'baseline,age', '--instrument', 'INFERT-SPONT', '--as-of', '2025-01-01',
      '--min-cell', '0', '--format', 'table']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^baseline\s+1\.1972/m);
    expect(run.stdout).toContain('edu12');
  });

  it('exits 64 naming the parameter for an unknown covariate', () => {
    const run = iop(t.url, ['compare', 'completion', '--adjust-for', 'age,height', '--as-of', '2025-01-01']);
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('adjust_for: unknown covariate height');
  });
});

