import { beforeAll, describe, expect, it } from 'vitest';
import type { MetricResponse, RetentionGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { ingestAll, iop, writeCsvs } from '../metrics/cli';
import { matchesPrinted, readReference } from '../stats/reference';

/**
 * The R `aml` data through the whole product: canonical CSVs → `iop ingest` →
 * `iop metrics retention --min-cell 0 --format json`, compared with R.
 * Sources (see tests/reference/published/README.md):
 * - km_aml.csv: the aml data (Miller 1997), therneau/survival tests/difftest.Rout.save;
 * - km_aml_expected.csv: summary(survfit(Surv(time, status) ~ x, data = aml)),
 *   therneau/survival tests/doaml.Rout.save;
 * - km_aml_summary.csv: print(survfit) medians and survdiff (doaml.Rout.save;
 *   p = 0.0653 as older survival prints it).
 * One aml week is 7 days; status 1 → dropped_out, 0 → completed; group → track.
 */
const t = useTestDatabase();
const ADMITTED = '2020-01-06';
const AS_OF = '2024-01-01';
const TRACK: Record<string, string> = { Maintained: 'maintained', Nonmaintained: 'nonmaintained' };

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

let response: MetricResponse<'retention'>;

beforeAll(() => {
  const aml = readReference('km_aml.csv');
  const files = writeCsvs({
    tracks: [['track_code', 'name', 'level_of_care', 'active'], ['maintained', 'Maintained', 'iop', 'true'], ['nonmaintained', 'Nonmaintained', 'iop', 'true']],
    patients: [['patient_id', 'birth_year', 'sex'], ...aml.map((r) => [`P${r.id}`, 1970, 'unknown'])],
    episodes: [
      ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason'],
      ...aml.map((r) => [`E${r.id}`, `P${r.id}`, TRACK[r.x ?? ''] ?? '?', ADMITTED, addDays(ADMITTED, 7 * Number(r.time)), r.status === '1' ? 'dropped_out' : 'completed']),
    ],
  });
  ingestAll(t.url, files, ['tracks', 'patients', 'episodes']);
  const run = iop(t.url, ['metrics', 'retention', '--min-cell', '0', '--format', 'json', '--as-of', AS_OF]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  response = JSON.parse(run.stdout) as MetricResponse<'retention'>;
}, 240_000);

function group(track: string): RetentionGroup {
  const g = response.groups.find((x) => x.key.track === track);
  if (!g || !('curve' in g)) throw new Error(`no group ${track}`);
  return g;
}

describe('retention on the R aml data, end to end through the CLI', () => {
  it('reproduces every summary(survfit) row: n.risk, n.event, survival, std.err and the log-scale CI', () => {
    const expected = readReference('km_aml_expected.csv');
    expect(expected).toHaveLength(16);
    for (const row of expected) {
      const g = group(TRACK[row.group ?? ''] ?? '');
      const point = g.curve.find((c) => c.day === 7 * Number(row.time));
      expect(point, `${row.group} week ${row.time}`).toBeDefined();
      if (!point) continue;
      expect(point.at_risk).toBe(Number(row.n_risk));
      expect(point.events).toBe(Number(row.n_event));
      expect(matchesPrinted(point.survival, row.survival ?? ''), `S ${row.group} ${row.time}: ${point.survival}`).toBe(true);
      if (row.std_err === 'NaN') {
        expect([point.std_err, point.lower, point.upper]).toEqual([null, null, null]);
        continue;
      }
      expect(matchesPrinted(point.std_err, row.std_err ?? ''), `se ${row.group} ${row.time}: ${point.std_err}`).toBe(true);
      expect(matchesPrinted(point.lower, row.lower_95_log ?? ''), `lower ${row.group} ${row.time}: ${point.lower}`).toBe(true);
      expect(matchesPrinted(point.upper, row.upper_95_log ?? ''), `upper ${row.group} ${row.time}: ${point.upper}`).toBe(true);
    }
  });

  it('lists the censored weeks too, one curve row per day on which anything happened', () => {
    expect(group('maintained').curve.map((c) => c.day / 7)).toEqual([9, 13, 18, 23, 28, 31, 34, 45, 48, 161]);
    const w13 = group('maintained').curve.find((c) => c.day === 91);
    expect(w13).toMatchObject({ at_risk: 10, events: 1, censored: 1 });
  });

  it('reports n, events, the median and its CI as print(survfit) does (weeks × 7 days)', () => {
    const summary = readReference('km_aml_summary.csv');
    for (const [name, track] of Object.entries(TRACK)) {
      const get = (item: string) => summary.find((r) => r.item === item && r.group === name);
      const g = group(track);
      expect(g.n).toBe(Number(get('n')?.value));
      expect(g.events).toBe(Number(get('events')?.value));
      const median = get('median');
      expect(g.median_days).toBe(7 * Number(median?.value));
      expect(g.median_ci).toEqual([7 * Number(median?.lower_95), median?.upper_95 === 'NA' ? null : 7 * Number(median?.upper_95)]);
    }
  });

  it('reports the log-rank test of survdiff: chi-square 3.3964 on 1 df, p 0.0653', () => {
    expect(response.log_rank?.df).toBe(1);
    expect(matchesPrinted(response.log_rank?.chi2 ?? null, '3.3964')).toBe(true);
    expect(matchesPrinted(response.log_rank?.p ?? null, '0.0653')).toBe(true);
  });

  it('states the definition it used and that nothing was suppressed', () => {
    expect(response.metric).toBe('retention');
    expect(response.as_of).toBe(AS_OF);
    expect(response.min_cell).toBe(0);
    expect(response.suppressed).toBe(false);
    expect(response.definition).toMatchObject({ event: { discharge_reasons: ['dropped_out', 'against_advice', 'terminated'] }, lost_to_follow_up_days: 30 });
    expect(response.groups.map((g) => g.key)).toEqual([{ track: 'maintained' }, { track: 'nonmaintained' }]);
  });
});
