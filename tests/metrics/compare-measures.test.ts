import { beforeAll, describe, expect, it } from 'vitest';
import { AdjustedComparisonSchema, EquityComparisonSchema, type AdjustedComparison } from '../../metrics/compare/schema';
import { MeasureResponseSchema } from '../../metrics/measures/schema';
import { useTestDatabase } from '../harness/database';
import { csv, ingestAll, ingestText, runCli } from '../ingest/helpers';

/**
 * Standard-measure numerators as comparison outcomes (docs/comparisons.md "Standard
 * measures"), through ingest and the CLI. A hand-built cohort of the depression measures
 * (docs/measures.md): every episode admitted 2024-01-10 with F32.1 and an index PHQ-9 of 15
 * (the baseline), discharged 2024-03-01, and a later PHQ-9 of the patient on 2024-07-10
 * (inside the DEP-REM-6 window 2024-05-11…2024-09-08 and the DEP-RESP-6 window
 * 2024-06-10…2024-08-09; outside the DEP-REM-12 window 2024-11-11…2025-03-11):
 *   c1: 14 remission (score 3), 6 no_remission (12), 2 no follow-up, 1 excluded (F31.9);
 *   c2: 5 remission, 10 no_remission, 1 excluded (F20.9), 2 window_open (index 2026-03-01,
 *       whose windows close after as_of 2026-06-30), 1 outside the initial population (index 9);
 *   no clinician: 1 remission.
 * So by clinician: c1 n 22, O 14; c2 n 15, O 5; unknown n 1, O 1; 2 excluded, 2 window_open.
 */
const t = useTestDatabase();
const AS_OF = '2026-06-30';

const patients: string[] = [];
const episodes: string[] = [];
const scores: string[] = [];
let serial = 0;

function add(clinician: string, race: string, o: { later?: number; dx?: string; index?: number; admitted?: string } = {}): void {
  serial += 1;
  const p = `P${serial}`;
  const e = `E${String(serial).padStart(3, '0')}`;
  const admitted = o.admitted ?? '2024-01-10';
  const closed = admitted < '2024-03-01';
  patients.push(`${p},${1960 + (serial * 7) % 40},${serial % 2 ? 'female' : 'male'},${race}`);
  episodes.push(`${e},${p},T1,${admitted},${closed ? '2024-03-01' : ''},${closed ? 'completed' : ''},${clinician},"${o.dx ?? 'F32.1'}"`);
  scores.push(`${p},PHQ-9,${admitted},${o.index ?? 15},${e}`);
  if (o.later !== undefined) scores.push(`${p},PHQ-9,2024-07-10,${o.later},`);
}

const times = (n: number, f: () => void) => Array.from({ length: n }, f);
times(14, () => add('c1', 'White', { later: 3 }));
times(6, () => add('c1', 'White', { later: 12 }));
times(2, () => add('c1', 'White'));
add('c1', 'White', { later: 3, dx: 'F32.1;F31.9' });
times(5, () => add('c2', 'Black', { later: 3 }));
times(10, () => add('c2', 'Black', { later: 12 }));
add('c2', 'Black', { later: 3, dx: 'F32.1;F20.9' });
times(2, () => add('c2', 'Black', { admitted: '2026-03-01' }));
add('c2', 'Black', { later: 3, index: 9 });
add('', '', { later: 3 });

beforeAll(async () => {
  const today = { today: '2030-01-01' };
  await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'T1,Evening IOP,iop'), today);
  await ingestText(t.wh, 'clinicians', csv('clinician_id,name', 'c1,One', 'c2,Two'), today);
  await ingestAll(t.wh, [
    ['patients', 'patient_id,birth_year,sex,race', patients],
    ['episodes', 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,clinician_id,diagnoses', episodes],
    ['assessments', 'patient_id,instrument,administered_on,total_score,episode_id', scores],
  ], today);
}, 120_000);

function cli(args: readonly string[]): unknown {
  const r = runCli(t.url, ['compare', ...args, '--as-of', AS_OF]);
  expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn')).join('\n')).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

const unit = (r: AdjustedComparison, key: string) => r.units.find((u) => u.key === key);

describe('iop compare <measure>: the numerator over the measure\'s denominator', () => {
  it('dep-rem-6 by clinician: n and O per clinician, excluded and window_open left out and counted', () => {
    const r = AdjustedComparisonSchema.parse(cli(['dep-rem-6', '--by', 'clinician', '--adjust-for', 'none', '--min-cell', '0']));
    expect(r.comparison).toBe('dep-rem-6');
    expect(r.units.map((u) => u.key)).toEqual(['c1', 'c2', 'unknown']);
    expect(unit(r, 'c1')).toMatchObject({ n: 22, observed: 14 });
    expect(unit(r, 'c2')).toMatchObject({ n: 15, observed: 5 });
    expect(unit(r, 'unknown')).toMatchObject({ n: 1, observed: 1 });
    expect(r.notes).toEqual({ episodes: 38, without_baseline: 0, without_age: 0, modelled: 38, excluded: 2, window_open: 2 });
    // Crude O/E: E = n × the overall rate 20/38, so c1's O/E = 14 / (22 × 20/38) = 532/440.
    const c1 = unit(r, 'c1');
    expect(c1 && 'oe' in c1 ? c1.oe : null).toBeCloseTo(532 / 440, 10);
    expect(r.definition).toMatchObject({ outcome: { measure: 'dep-rem-6', source: 'CCBHC DEP-REM-6', event: "the episode's label is remission" } });
  });

  it('agrees with the labels iop measures --rows gives the same episodes', () => {
    const m = runCli(t.url, ['measures', 'dep-rem-6', '--rows', '--min-cell', '0', '--as-of', AS_OF]);
    expect(m.status).toBe(0);
    const rows = MeasureResponseSchema.parse(JSON.parse(m.stdout)).rows ?? [];
    const clinicianOf = new Map(episodes.map((line) => [line.split(',')[0], line.split(',')[6] || 'unknown']));
    const perClinician = new Map<string, { n: number; events: number }>();
    for (const row of rows) {
      if (row.label === 'excluded' || row.label === 'window_open') continue;
      const key = clinicianOf.get(row.episode_id) ?? '?';
      const c = perClinician.get(key) ?? { n: 0, events: 0 };
      c.n++;
      if (row.label === 'remission') c.events++;
      perClinician.set(key, c);
    }
    const r = AdjustedComparisonSchema.parse(cli(['dep-rem-6', '--by', 'clinician', '--adjust-for', 'age,sex', '--min-cell', '0']));
    for (const u of r.units) expect('n' in u ? { n: u.n, events: u.observed } : null, u.key).toEqual(perClinician.get(u.key));
    expect(r.model.status).toBe('ok');
  });

  it('dep-resp-6 counts responses (3 ≤ 50% of 15); dep-rem-12 finds no follow-up and says the outcome is constant', () => {
    const resp = AdjustedComparisonSchema.parse(cli(['dep-resp-6', '--by', 'clinician', '--adjust-for', 'none', '--min-cell', '0']));
    expect(unit(resp, 'c1')).toMatchObject({ n: 22, observed: 14 });
    expect(resp.notes).toMatchObject({ excluded: 2, window_open: 2 });
    const rem12 = AdjustedComparisonSchema.parse(cli(['dep-rem-12', '--by', 'clinician', '--adjust-for', 'none', '--min-cell', '0']));
    expect(unit(rem12, 'c1')).toMatchObject({ n: 22, observed: 0 });
    expect(rem12.model.status).toBe('constant_outcome');
  });

  it('gives the equity view by race, with the same notes', () => {
    const r = EquityComparisonSchema.parse(cli(['dep-rem-6', '--by', 'race', '--min-cell', '0']));
    // Race is compared as stored, lower-cased (docs/metrics.md "Dimensions and filters").
    expect(r.reference).toBe('white');
    expect(r.groups.map((g) => ('n' in g ? [g.key, g.n, g.events] : [g.key]))).toEqual([['black', 15, 5], ['white', 22, 14], ['unknown', 1, 1]]);
    expect(r.notes).toEqual({ excluded: 2, window_open: 2 });
  });

  it('hides the counts outside the denominator when one is below the min cell', () => {
    const r = AdjustedComparisonSchema.parse(cli(['dep-rem-6', '--by', 'clinician', '--adjust-for', 'none', '--min-cell', '11']));
    expect(r.notes).toMatchObject({ excluded: null, window_open: null });
    expect(r.suppressed).toBe(true);
  });

  it('lists the measures in the help and refuses a measure that is not registered', () => {
    const help = runCli(t.url, ['compare', '--help']);
    expect(help.stdout).toContain('dep-rem-6|dep-rem-12|dep-resp-6');
    const bad = runCli(t.url, ['compare', 'noms', '--as-of', AS_OF]);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('unknown outcome');
  });
});
