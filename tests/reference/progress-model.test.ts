import { beforeAll, describe, expect, it } from 'vitest';
import type { ProgressModel } from '../../metrics/progress/model';
import { fitLmm } from '../../metrics/stats/lmm';
import { statsFromRows } from '../../metrics/stats/lmm-stats';
import { readDataVersion } from '../../ingest/lineage';
import { latestProgressFit } from '../../warehouse/progress-fits';
import { useTestDatabase } from '../harness/database';
import { ingestAll, iop, writeCsvs } from '../metrics/cli';
import { ORTHODONT, SLEEPSTUDY, orthodont, sleepstudy, within1e3, type Observation, type PublishedFit } from '../stats/lmm-published';

/**
 * docs/progress.md "Verification": published REML fits through ingest and `iop progress model`.
 * Each subject is a patient with one episode admitted on ADMITTED; a score at time t
 * (sleepstudy's day, Orthodont's age) is administered 7·t days later, so weeks since
 * admission = t and `--time linear --no-bands` fits `y ~ t + (t | subject)`.
 */
const t = useTestDatabase();
const ADMITTED = '2024-01-01';

type Row = (string | number | null)[];

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A seeded shuffle (mulberry32), so the permuted copy is the same on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function build(): Record<string, Row[]> {
  const patients: Row[] = [['patient_id']];
  const episodes: Row[] = [['episode_id', 'patient_id', 'track_code', 'admitted_on']];
  const assessments: Row[] = [['patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id']];
  const addSet = (prefix: string, instrument: string, obs: Observation[]) => {
    for (const g of new Set(obs.map((o) => o.group))) {
      patients.push([`${prefix}${g}`]);
      episodes.push([`${prefix}${g}`, `${prefix}${g}`, 'ref', ADMITTED]);
    }
    for (const o of obs) assessments.push([`${prefix}${o.group}`, instrument, addDays(ADMITTED, 7 * o.t), o.y, `${prefix}${o.group}`]);
  };
  addSet('S', 'SLEEPSTUDY', sleepstudy());
  addSet('O', 'ORTHODONT', orthodont());
  // The same sleepstudy under other episode ids (a permutation of the subjects' labels)
  // and with its score rows in another order.
  const subjects = [...new Set(sleepstudy().map((o) => o.group))];
  const relabel = new Map(subjects.map((g, i) => [g, shuffled(subjects, 7)[i] ?? g]));
  addSet('Q', 'SLEEPSHUF', shuffled(sleepstudy().map((o) => ({ ...o, group: relabel.get(o.group) ?? o.group })), 11));
  // Banded: a clinical cutoff of 260 ms and remission below 230 ms on the day-0 score.
  addSet('B', 'SLEEPBAND', sleepstudy());
  return {
    tracks: [['track_code', 'name'], ['ref', 'Reference data']],
    instruments: [
      ['code', 'name', 'min_score', 'max_score', 'higher_is_better', 'clinical_cutoff', 'remission_below'],
      ['SLEEPSTUDY', 'lme4 sleepstudy reaction time (ms)', 0, 1000, 'false', null, null],
      ['SLEEPSHUF', 'sleepstudy permuted', 0, 1000, 'false', null, null],
      ['SLEEPBAND', 'sleepstudy with cutoffs', 0, 1000, 'false', 260, 230],
      ['ORTHODONT', 'nlme Orthodont distance (mm)', 0, 50, 'true', null, null],
    ],
    patients: [patients[0] ?? [], ...shuffled(patients.slice(1), 3)],
    episodes: [episodes[0] ?? [], ...shuffled(episodes.slice(1), 5)],
    assessments: [assessments[0] ?? [], ...shuffled(assessments.slice(1), 9)],
  };
}

function model(args: string[]): ProgressModel {
  const r = iop(t.url, ['progress', 'model', '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as ProgressModel;
}

function expectPublished(m: ProgressModel, pub: PublishedFit): void {
  const f = m.fit;
  expect(f.convergence.converged).toBe(true);
  expect([f.n_obs, f.n_groups]).toEqual([pub.nObs, pub.nGroups]);
  const got = [...f.fixed.map((x) => x.estimate), ...f.fixed.map((x) => x.se), f.random.sd_intercept, f.random.sd_slope, f.random.correlation, f.residual_sd, f.reml_criterion];
  const want = [...pub.fixed, ...pub.se, ...pub.sd, pub.correlation, pub.residualSd, pub.reml];
  expect(got.map((v, i) => within1e3(v, want[i] ?? 'NaN')), `got ${JSON.stringify(got)}, published ${JSON.stringify(want)}`).toEqual(want.map(() => true));
}

beforeAll(() => {
  ingestAll(t.url, writeCsvs(build()), ['tracks', 'instruments', 'patients', 'episodes', 'assessments']);
}, 300_000);

describe('iop progress model reproduces published REML fits through ingest (docs/progress.md)', () => {
  it('reproduces lme4 Reaction ~ Days + (Days | Subject) on sleepstudy to 1e-3', () => {
    const m = model(['--instrument', 'SLEEPSTUDY', '--time', 'linear', '--no-bands']);
    expect(m.fit.fixed.map((x) => x.name)).toEqual(['(Intercept)', 'time']);
    expectPublished(m, SLEEPSTUDY);
  });

  it('reproduces nlme distance ~ age + (age | Subject) on Orthodont to 1e-3', () => {
    expectPublished(model(['--instrument', 'ORTHODONT', '--time', 'linear', '--no-bands']), ORTHODONT);
  });

  it('gives the identical fit when the episodes are relabelled and the score rows ingested in another order', () => {
    const a = model(['--instrument', 'SLEEPSTUDY', '--time', 'linear', '--no-bands']);
    const b = model(['--instrument', 'SLEEPSHUF', '--time', 'linear', '--no-bands']);
    expect({ ...b, instrument: a.instrument }).toEqual(a);
  });

  it('gives per week the predicted mean and the 80% tolerance interval from the published variances', () => {
    const m = model(['--instrument', 'SLEEPSTUDY', '--time', 'linear', '--no-bands']);
    expect(m.expected.map((e) => e.week)).toEqual(Array.from({ length: 17 }, (_, w) => w));
    // From the published lme4 fit: mean = 251.405 + 10.467·t, and with
    // Σ = [[24.741², 0.066·24.741·5.922], [·, 5.922²]] and σ = 25.592 the SD of a new
    // subject's score is √(z'Σz + σ²), z = (1, t); qnorm(0.9) = 1.2815515655446004 (R).
    const at = (t: number) => {
      const cov = 0.066 * 24.741 * 5.922;
      const sd = Math.sqrt(24.741 ** 2 + 2 * t * cov + t * t * 5.922 ** 2 + 25.592 ** 2);
      const mean = 251.405 + 10.467 * t;
      return { mean, lower: mean - 1.2815515655446004 * sd, upper: mean + 1.2815515655446004 * sd };
    };
    for (const week of [0, 3, 9]) {
      const e = m.expected.find((x) => x.week === week);
      expect(e?.band).toBeNull();
      expect(Math.abs((e?.mean ?? NaN) - at(week).mean)).toBeLessThan(0.01);
      expect(Math.abs((e?.lower ?? NaN) - at(week).lower)).toBeLessThan(0.05);
      expect(Math.abs((e?.upper ?? NaN) - at(week).upper)).toBeLessThan(0.05);
    }
  });

  it('prints the fit like lme4 summary() without --json', () => {
    const r = iop(t.url, ['progress', 'model', '--instrument', 'SLEEPSTUDY', '--time', 'linear', '--no-bands']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/REML criterion at convergence: 1743\.628\d/);
    expect(r.stdout).toMatch(/Number of obs: 180, groups: episode, 18/);
    expect(r.stdout).toMatch(/\(Intercept\)\s+251\.4051\s+6\.8246/);
    expect(r.stdout).toMatch(/Convergence: converged/);
    expect(r.stdout).toMatch(/^\s+3 {2}282\.81 \[/m);
  });

  it('models baseline band and band × time, equal to the same design fitted from the rows', () => {
    const m = model(['--instrument', 'SLEEPBAND', '--time', 'linear']);
    const obs = sleepstudy();
    const base = new Map(obs.filter((o) => o.t === 0).map((o) => [o.group, o.y]));
    const band = (g: string) => { const b = base.get(g) ?? 0; return b >= 260 ? 'clinical' : b < 230 ? 'remission' : 'subclinical'; };
    const counts = ['remission', 'subclinical', 'clinical'].map((b) => ({ band: b, episodes: [...base.keys()].filter((g) => band(g) === b).length }));
    expect(m.bands).toEqual(counts.filter((c) => c.episodes > 0));
    expect([...new Set(m.expected.map((e) => e.band))]).toEqual(m.bands.map((b) => b.band));
    expect(m.fit.fixed.map((x) => x.name)).toEqual(['(Intercept)', 'band[subclinical]', 'band[clinical]', 'time', 'time:band[subclinical]', 'time:band[clinical]']);
    const d = (g: string) => [band(g) === 'subclinical' ? 1 : 0, band(g) === 'clinical' ? 1 : 0];
    const ref = fitLmm(statsFromRows(m.fit.fixed.map((x) => x.name), obs.map((o) => ({ y: o.y, t: o.t, group: o.group, x: [1, ...d(o.group), o.t, ...d(o.group).map((v) => v * o.t)] }))));
    expect(m.fit.reml_criterion).toBeCloseTo(ref.reml_criterion, 6);
    m.fit.fixed.forEach((x, i) => expect(x.estimate).toBeCloseTo(ref.fixed[i]?.estimate ?? NaN, 4));
    expect(m.fit.residual_sd).toBeCloseTo(ref.residual_sd, 4);
  });

  it('uses log(weeks + 1) by default', () => {
    const m = model(['--instrument', 'SLEEPSTUDY', '--no-bands']);
    expect(m.time).toBe('log');
    const ref = fitLmm(statsFromRows(['(Intercept)', 'time'], sleepstudy().map((o) => ({ y: o.y, t: Math.log(o.t + 1), x: [1, Math.log(o.t + 1)], group: o.group }))));
    expect(m.fit.reml_criterion).toBeCloseTo(ref.reml_criterion, 6);
    expect(m.fit.fixed[1]?.estimate).toBeCloseTo(ref.fixed[1]?.estimate ?? NaN, 4);
  });
});

describe('iop progress model --save (docs/progress.md "Stored fits")', () => {
  it('stores the fit with its date and the data version it saw, and the latest one is read back', async () => {
    expect(await latestProgressFit(t.wh.db, 'ORTHODONT', 'linear', false)).toBeUndefined();
    const before = Date.now();
    const first = model(['--instrument', 'ORTHODONT', '--time', 'linear', '--no-bands', '--save']) as ProgressModel & { saved: { fit_id: number; fitted_at: string; data_version: string } };
    const second = model(['--instrument', 'ORTHODONT', '--time', 'linear', '--no-bands', '--save']) as typeof first;
    expect(second.saved.fit_id).toBeGreaterThan(first.saved.fit_id);
    const stored = await latestProgressFit(t.wh.db, 'ORTHODONT', 'linear', false);
    const { saved, ...fit } = second;
    expect(stored).toEqual({ fit_id: saved.fit_id, instrument: 'ORTHODONT', time_scale: 'linear', bands: false, fitted_at: saved.fitted_at, data_version: saved.data_version, model: fit });
    expect(saved.data_version).toBe(await readDataVersion(t.wh.db));
    expect(Date.parse(saved.fitted_at)).toBeGreaterThanOrEqual(before - 5_000);
    expect(await latestProgressFit(t.wh.db, 'ORTHODONT', 'log', false)).toBeUndefined();
  });

  it('stores nothing without --save', async () => {
    const n = async () => (await t.wh.db.selectFrom('progress_fits').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const before = Number(await n());
    model(['--instrument', 'SLEEPSTUDY', '--time', 'linear', '--no-bands']);
    expect(Number(await n())).toBe(before);
  });
});

describe('iop progress model: bad input exits 64 with the reason', () => {
  const usage = (args: string[], message: RegExp) => {
    const r = iop(t.url, ['progress', 'model', ...args]);
    expect(r.status, r.stderr).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('rejects an unknown instrument and lists the known ones', () => {
    usage(['--instrument', 'BDI-II'], /unknown instrument BDI-II; known instruments: .*SLEEPSTUDY/);
  });

  it('rejects a time scale other than log or linear', () => {
    usage(['--instrument', 'SLEEPSTUDY', '--time', 'cubic'], /--time.*cubic.*log, linear/s);
  });

  it('asks for --no-bands when the instrument has no cutoffs', () => {
    usage(['--instrument', 'SLEEPSTUDY'], /has no clinical_cutoff or remission_below.*--no-bands/);
  });

  it('exits 2 when the instrument has too few episodes to model', () => {
    const r = iop(t.url, ['progress', 'model', '--instrument', 'PHQ-9', '--no-bands']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PHQ-9 has 0 episode\(s\) with scores to model; at least 2 are needed/);
  });
});
