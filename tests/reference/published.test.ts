import { beforeAll, describe, expect, it } from 'vitest';
import type { CompletionGroup, MetricResponse, SymptomsGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { ingestAll, iop, writeCsvs } from '../metrics/cli';
import { matchesPrinted, readReference } from '../stats/reference';

/**
 * Published values through the CLI (ingest → `iop metrics`):
 * - Wilson intervals: R `binom::binom.confint(x, n, method = "wilson")`, as stored
 *   in statsmodels `statsmodels/stats/tests/results/results_proportion.py`
 *   (tests/reference/published/proportion_ci.csv).
 * - RC threshold: SD 7.5 and reliability 0.80 give 9.296925484568419, cpsyctc/CECPfuns
 *   `tests/testthat/test-getRCIfromSDandAlpha.R`.
 * - Paired t-interval: R `t.test(extra ~ group, data = sleep, paired = TRUE)` prints
 *   mean of the differences −1.58, 95% CI −2.4598858 −0.7001142 (R datasets::sleep,
 *   the example of ?t.test; the printed output is in R's tests/Examples/stats-Ex.Rout.save
 *   and public knitted outputs, e.g. find_string hit id 1486357344). Our change is
 *   follow-up − baseline = group 2 − group 1, so the signs flip.
 */
const t = useTestDatabase();
const ADMITTED = '2024-01-08';
const DISCHARGED = '2024-02-19';
const FOLLOWUP = '2024-02-05';
const AS_OF = '2025-01-01';
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

type Row = (string | number | null)[];

/** Completion cohorts: (track, completed, transferred, dropped). */
const COHORTS: [string, number, number, number][] = [['wa', 18, 0, 2], ['wb', 4, 0, 16], ['wc', 4, 186, 10]];

function build(): Record<string, Row[]> {
  const patients: Row[] = [['patient_id', 'birth_year', 'sex']];
  const episodes: Row[] = [['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason']];
  const assessments: Row[] = [['patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id']];
  let id = 0;
  const add = (track: string, reason: string | null) => {
    id += 1;
    patients.push([`P${id}`, 1980, 'female']);
    episodes.push([`E${id}`, `P${id}`, track, ADMITTED, reason ? DISCHARGED : null, reason]);
    return id;
  };
  for (const [track, completed, transferred, dropped] of COHORTS) {
    for (let i = 0; i < completed; i++) add(track, 'completed');
    for (let i = 0; i < transferred; i++) add(track, 'transferred');
    for (let i = 0; i < dropped; i++) add(track, 'dropped_out');
  }
  SLEEP_1.forEach((before, i) => {
    const p = add('sl', 'completed');
    assessments.push([`P${p}`, 'SLEEP', ADMITTED, before, `E${p}`], [`P${p}`, 'SLEEP', FOLLOWUP, SLEEP_2[i] ?? null, `E${p}`]);
  });
  [[20, 8], [18, 12], [15, 15]].forEach(([before, after]) => {
    const p = add('rc', 'completed');
    assessments.push([`P${p}`, 'RCI-75', ADMITTED, before ?? null, `E${p}`], [`P${p}`, 'RCI-75', FOLLOWUP, after ?? null, `E${p}`]);
  });
  return {
    tracks: [['track_code', 'name'], ...['wa', 'wb', 'wc', 'sl', 'rc'].map((c) => [c, `Track ${c}`])],
    instruments: [
      ['code', 'name', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability', 'norm_sd', 'clinical_cutoff', 'remission_below'],
      ['SLEEP', 'Extra hours of sleep (R sleep data)', -5, 10, 'true', null, null, null, null, null],
      ['RCI-75', 'CECPfuns RC case', 0, 40, 'false', null, 0.8, 7.5, null, null],
    ],
    patients, episodes, assessments,
  };
}

function metric<M extends 'completion' | 'symptoms'>(name: M, args: string[]): MetricResponse<M> {
  const run = iop(t.url, ['metrics', name, '--min-cell', '0', '--format', 'json', '--as-of', AS_OF, ...args]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as MetricResponse<M>;
}

let completion: MetricResponse<'completion'>;

beforeAll(() => {
  ingestAll(t.url, writeCsvs(build()), ['tracks', 'instruments', 'patients', 'episodes', 'assessments']);
  completion = metric('completion', ['--track', 'wa', '--track', 'wb', '--track', 'wc']);
}, 300_000);

function completionGroup(track: string): CompletionGroup {
  const g = completion.groups.find((x) => x.key.track === track);
  if (!g || !('completion_ci' in g)) throw new Error(`no group ${track}`);
  return g;
}

function wilsonRef(x: number, n: number): [string, string] {
  const row = readReference('proportion_ci.csv').find((r) => r.method === 'wilson' && Number(r.x) === x && Number(r.n) === n);
  if (!row?.lower || !row.upper) throw new Error(`no reference for ${x}/${n}`);
  return [row.lower, row.upper];
}

function expectInterval(actual: [number, number] | null, [lower, upper]: [string, string]): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual?.[0] ?? NaN) - Number(lower))).toBeLessThan(1e-12);
  expect(Math.abs((actual?.[1] ?? NaN) - Number(upper))).toBeLessThan(1e-12);
}

describe('published references through the CLI', () => {
  it('gives the R binom Wilson interval for 18 of 20 and 4 of 20 completions', () => {
    expect(completionGroup('wa')).toMatchObject({ discharged: 20, completed: 18, completion_rate: 0.9 });
    expectInterval(completionGroup('wa').completion_ci, wilsonRef(18, 20));
    expectInterval(completionGroup('wb').completion_ci, wilsonRef(4, 20));
  });

  it('gives the R binom Wilson interval for 4 of 200 completions and 190 of 200 positive discharges (TEDS-D)', () => {
    const wc = completionGroup('wc');
    expect(wc).toMatchObject({ discharged: 200, completed: 4, reasons: { completed: 4, transferred: 186, dropped_out: 10 } });
    expectInterval(wc.completion_ci, wilsonRef(4, 200));
    expect(wc.positive_discharge_rate).toBe(0.95);
    expectInterval(wc.positive_discharge_ci, wilsonRef(190, 200));
  });

  it('reproduces the paired t-interval of R t.test on the sleep data through the symptoms metric', () => {
    const r = metric('symptoms', ['--track', 'sl', '--instrument', 'SLEEP']);
    const g = r.groups[0] as SymptomsGroup;
    expect(g.paired).toBe(10);
    expect(matchesPrinted(g.change_mean, '1.58')).toBe(true);
    expect(matchesPrinted(g.change_ci?.[0] ?? null, '0.7001142')).toBe(true);
    expect(matchesPrinted(g.change_ci?.[1] ?? null, '2.4598858')).toBe(true);
    expect(r.definition).toMatchObject({ instrument: 'SLEEP', higher_is_better: true });
  });

  it('uses the CECPfuns RC threshold for an ingested instrument with reliability 0.80 and norm SD 7.5', () => {
    const r = metric('symptoms', ['--track', 'rc', '--instrument', 'RCI-75']);
    const g = r.groups[0] as SymptomsGroup;
    expect(Math.abs((g.rc_threshold ?? NaN) - 9.296925484568419)).toBeLessThan(1e-12);
    // Changes −12, −6, 0 against RC 9.297: one reliable improvement, no cutoff so no "recovered".
    expect(g.classes).toEqual({ recovered: null, improved: 1, unchanged: 2, deteriorated: 0 });
    expect(r.definition).toMatchObject({ reliable_change: { rc_source: 'reliability and norm_sd', reliability: 0.8, norm_sd: 7.5 } });
  });
});
