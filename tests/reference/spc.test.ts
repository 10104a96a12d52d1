import { beforeAll, describe, expect, it } from 'vitest';
import { SpcResponseSchema, type SpcResponse } from '../../metrics/spc/schema';
import { useTestDatabase } from '../harness/database';
import { ingestAll, iop, writeCsvs } from '../metrics/cli';
import { readReference } from '../stats/reference';

/**
 * qicharts2's published p-charts through the whole product: each sample becomes an
 * admission month whose episodes are all discharged, `y_sum` of them completed and the
 * rest dropped out, so the completion p-chart of `iop spc completion` must reproduce
 * qicharts2's centre line, limits and Anhøj figures.
 * Sources (tests/reference/published/README.md, "SPC charts"):
 * - qic_p_montgomery_tbl_7_4.csv: qic(sample, count, size, data = tbl_07.04, chart = 'p'),
 *   anhoej/qicharts2 tests/testthat/tbl_7.4_1.rds;
 * - qic_p_montgomery_ex_7_1_parts.csv: qic(..., data = tbl_07.03, chart = 'p',
 *   exclude = c(15, 23), part = 30), ex_7.1_5.rds. The CLI has no `exclude`, so its
 *   second part (samples 31-94, no exclusions) is the reference: `--split` opens it.
 */
const t = useTestDatabase();
const TOL = 1e-12;

/** `year`-01 + i months, as YYYY-MM (Example 7.1's 94 months start in 2015 so they end before today). */
function month(i: number, year = 2020): string {
  const d = new Date(Date.UTC(year, i, 1));
  return d.toISOString().slice(0, 7);
}

interface Sample {
  track: string;
  month: string;
  completed: number;
  size: number;
}

function toCsvs(samples: readonly Sample[]) {
  const patients: (string | number)[][] = [['patient_id', 'birth_year', 'sex']];
  const episodes: string[][] = [['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason']];
  let k = 0;
  for (const s of samples) {
    for (let j = 0; j < s.size; j++) {
      k += 1;
      const day = String(1 + (j % 28)).padStart(2, '0');
      patients.push([`P${k}`, 1980, 'female']);
      // discharged in the admission month's 28 days + 30: well inside the maturity horizon
      const admitted = `${s.month}-${day}`;
      const discharged = new Date(Date.parse(`${admitted}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
      episodes.push([`E${k}`, `P${k}`, s.track, admitted, discharged, j < s.completed ? 'completed' : 'dropped_out']);
    }
  }
  return { patients, episodes };
}

const table74 = readReference('qic_p_montgomery_tbl_7_4.csv');
const example71 = readReference('qic_p_montgomery_ex_7_1_parts.csv');

function spcRun(args: readonly string[]): SpcResponse {
  const run = iop(t.url, ['spc', 'completion', '--min-cell', '0', '--format', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return SpcResponseSchema.parse(JSON.parse(run.stdout));
}

let t74: SpcResponse;
let e71: SpcResponse;

beforeAll(() => {
  const samples: Sample[] = [
    ...table74.map((r, i) => ({ track: 'table74', month: month(i), completed: Number(r.y_sum), size: Number(r.n) })),
    ...example71.map((r, i) => ({ track: 'example71', month: month(i, 2015), completed: Number(r.y_sum), size: Number(r.n) })),
  ];
  const { patients, episodes } = toCsvs(samples);
  const files = writeCsvs({
    tracks: [['track_code', 'name', 'level_of_care', 'active'], ['table74', 'Table 7.4', 'iop', 'true'], ['example71', 'Example 7.1', 'iop', 'true']],
    patients,
    episodes,
  });
  ingestAll(t.url, files, ['tracks', 'patients', 'episodes']);
  t74 = spcRun(['--track', 'table74', '--to', `${month(24)}-28`, '--as-of', '2024-01-01']);
  e71 = spcRun(['--track', 'example71', '--to', `${month(93, 2015)}-28`, '--as-of', '2024-01-01', '--split', `${month(30, 2015)}-01`]);
}, 600_000);

describe('iop spc completion reproduces qicharts2 on Montgomery Table 7.4, through ingest', () => {
  it('charts the 25 months with the published centre line and limits', () => {
    expect(t74.points).toHaveLength(25);
    expect(t74.immature).toEqual([]);
    t74.points.forEach((p, i) => {
      const row = table74[i] ?? {};
      expect(p.numerator).toBe(Number(row.y_sum));
      expect(p.denominator).toBe(Number(row.n));
      expect(Math.abs((p.cl ?? NaN) - Number(row.cl))).toBeLessThan(TOL);
      expect(Math.abs((p.ucl ?? NaN) - Number(row.ucl))).toBeLessThan(TOL);
      expect(Math.abs((p.lcl ?? NaN) - Number(row.lcl))).toBeLessThan(TOL);
      expect(p.sigma_signal).toBe(row.sigma_signal === 'TRUE');
    });
  });

  it('reports the published Anhøj figures: n 25, longest run 5 (limit 8), 10 crossings (limit 8), no runs signal', () => {
    expect(t74.phases).toHaveLength(1);
    expect(t74.phases[0]).toMatchObject({ n_obs: 25, n_useful: 25, longest_run: 5, longest_run_max: 8, n_crossings: 10, n_crossings_min: 8, runs_signal: false, sigma_signals: 1 });
  });
});

describe('iop spc completion --split reproduces the second part of qicharts2 Example 7.1, through ingest', () => {
  it('opens phase 2 at the split month and charts it with the published centre line and limits', () => {
    expect(e71.points).toHaveLength(94);
    const part2 = e71.points.slice(30);
    expect(new Set(part2.map((p) => p.phase))).toEqual(new Set([2]));
    part2.forEach((p, i) => {
      const row = example71[30 + i] ?? {};
      expect(Math.abs((p.cl ?? NaN) - Number(row.cl))).toBeLessThan(TOL);
      expect(Math.abs((p.ucl ?? NaN) - Number(row.ucl))).toBeLessThan(TOL);
      expect(Math.abs((p.lcl ?? NaN) - Number(row.lcl))).toBeLessThan(TOL);
    });
  });

  it('reports the published Anhøj figures of part 2: n 64, longest run 7 (limit 9), 30 crossings (limit 25)', () => {
    const phase2 = e71.phases.find((p) => p.phase === 2);
    expect(phase2).toMatchObject({ split: `${month(30, 2015)}-01`, first: month(30, 2015), last: month(93, 2015), n_useful: 64, longest_run: 7, longest_run_max: 9, n_crossings: 30, n_crossings_min: 25, runs_signal: false });
  });
});
