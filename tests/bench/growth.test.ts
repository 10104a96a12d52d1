// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/context';
import { analyseGrowth, costsOf, growthExponent, growthMarkdown, growthSvg, latestResultsFile, spreadLabels, toMs, type ScaleResults } from '../../bench/growth';
import { spliceGrowth } from '../../bench/report';

/**
 * Hand-made results at four scales: ingest takes exactly 1 ms per episode (50 attendance
 * rows each, so 50,000 rows/s) against a raw COPY 20× faster; refresh --full grows
 * quadratically against a linear GROUP BY; symptoms is missing at 50k; FHIR has no row count.
 */
const SCALES = [20_000, 50_000, 100_000, 200_000];
const COUNT = 'SELECT count(*) FROM episode_outcomes';

function run(e: number): ScaleResults {
  const k = e / 1000;
  const results: BenchResult[] = [
    { measure: `ingest attendance (${(50 * e).toLocaleString('en-US')} rows), rows/s`, value: 50_000, unit: 'rows/s', baseline: { name: 'raw COPY into an unindexed table', value: 1_000_000, unit: 'rows/s' }, command: 'iop ingest attendance' },
    { measure: `ingest attendance peak RSS (${(50 * e).toLocaleString('en-US')} rows)`, value: 200, unit: 'MB', command: 'iop ingest attendance' },
    { measure: 'refresh --full', value: k * k, unit: 'ms', baseline: { name: 'SELECT episode_id, count(*) FROM attendance GROUP BY 1', value: 10 * k, unit: 'ms' }, command: 'iop refresh --full' },
    { measure: `refresh of 1% of episodes (${e / 100})`, value: k / 2, unit: 'ms', baseline: { name: 'refresh --full', value: k * k, unit: 'ms' }, command: 'refreshEpisodes' },
    { measure: 'metrics retention (all tracks, group by track)', value: 3 * k, unit: 'ms', baseline: { name: COUNT, value: k / 4, unit: 'ms' }, command: 'iop metrics retention' },
    ...(e === 50_000 ? [] : [{ measure: 'metrics symptoms (all tracks, group by track)', value: 5 * k, unit: 'ms', baseline: { name: COUNT, value: k / 4, unit: 'ms' }, command: 'iop metrics symptoms' }]),
    { measure: 'metric endpoints, 50 connections: p97.5 latency (≥ p95)', value: 20, unit: 'ms', command: 'autocannon' },
    { measure: 'metric endpoints, 50 connections: throughput', value: 5000, unit: 'req/s', command: 'autocannon' },
    { measure: 'ingest fhir NDJSON (100,000 PHQ-9 Observations), rows/s', value: 30_000, unit: 'rows/s', baseline: { name: 'the same rows as an assessments CSV', value: 35_000, unit: 'rows/s' }, command: 'iop ingest fhir' },
  ];
  return {
    scale: String(e), episodes: e, rows: { episodes: e, attendance: 50 * e }, pgVersion: 'PostgreSQL 15', startedAt: '2026-11-24T10:00:00.000Z',
    command: `npm run bench -- --growth ${SCALES.join(',')}`, results, file: `2026-11-24T10-00-00-000Z-${e}.json`,
  };
}
const runs = SCALES.map(run);
const growth = analyseGrowth([...runs].reverse());
const byLabel = (label: string) => growth.series.find((s) => s.label === label);

describe('growth series', () => {
  it('turns an ingest rate into the time for the whole file, and its baseline the same way', () => {
    expect(toMs(50_000, 'rows/s', 1_000_000)).toBe(20_000);
    expect(toMs(12, 'ms')).toBe(12);
    expect(toMs(5000, 'req/s')).toBeUndefined();
    const { costs } = costsOf(run(20_000));
    expect(costs.find((c) => c.label === 'ingest attendance')).toEqual({ label: 'ingest attendance', baseline: false, ms: 20_000 });
    expect(costs.find((c) => c.label === 'baseline: raw COPY into an unindexed table')).toEqual({ label: 'baseline: raw COPY into an unindexed table', baseline: true, ms: 1_000 });
  });

  it('follows times and baselines (each once), not RSS, throughput or latency', () => {
    expect(growth.episodes).toEqual(SCALES);
    expect(growth.series.map((s) => s.label)).toEqual([
      'ingest attendance', 'baseline: raw COPY into an unindexed table',
      'refresh --full', 'baseline: SELECT episode_id, count(*) FROM attendance GROUP BY 1',
      'refresh of 1% of episodes',
      'metrics retention', `baseline: ${COUNT}`,
    ]);
  });

  it('gives an exactly linear series exponent 1 and a quadratic one 2 (super-linear)', () => {
    expect(growthExponent(SCALES, SCALES.map((e) => 3 * e))).toBeCloseTo(1, 10);
    expect(byLabel('ingest attendance')?.exponent).toBeCloseTo(1, 10);
    expect(byLabel('ingest attendance')?.verdict).toBe('linear or better');
    expect(byLabel('ingest attendance')?.msPer1k).toEqual([1000, 1000, 1000, 1000]);
    expect(byLabel('refresh --full')?.exponent).toBeCloseTo(2, 10);
    expect(byLabel('refresh --full')?.verdict).toBe('super-linear');
    expect(byLabel(`baseline: ${COUNT}`)?.verdict).toBe('linear or better');
  });

  it('reports measures missing at some scale, and rates it cannot turn into times', () => {
    expect(growth.skipped).toEqual([
      { label: 'metrics symptoms', reason: 'missing at 50k' },
      { label: 'ingest fhir NDJSON', reason: "a rate with no row count in the results' rows at 20k, 50k, 100k, 200k" },
    ]);
    const md = growthMarkdown(growth, runs);
    expect(md).toContain('## Growth (20k → 200k episodes)');
    expect(md).toContain('- metrics symptoms: missing at 50k');
    expect(md).toContain('| refresh --full | 400 ms | 2.5 s | 10 s | 40 s | 20 | 200 | 2.00 | **super-linear** |');
    expect(md).toContain('![growth](docs/img/growth.svg)');
  });

  it('needs at least two different scales', () => {
    expect(() => analyseGrowth([run(20_000)])).toThrow(/at least two/);
    expect(() => analyseGrowth([run(20_000), run(20_000)])).toThrow(/at least two/);
  });

  it('draws one well-formed standalone <svg> with every series labelled', () => {
    const svg = growthSvg(growth);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<svg\b/g)).toHaveLength(1);
    expect(svg).not.toContain('<figure');
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(doc.documentElement.nodeName).toBe('svg');
    const texts = [...doc.getElementsByTagName('text')].map((t) => t.textContent);
    for (const s of growth.series) expect(texts).toContain(s.label);
    expect(texts).toContain('linear growth (slope 1)');
  });

  it('keeps labels apart and inside the chart', () => {
    const placed = spreadLabels([10, 10.1, 10.2, 1000], 1, 1000, 0.1);
    const [a, b, c, d] = placed.map((v) => Math.log(v) / Math.log(1000));
    expect((b ?? NaN) - (a ?? NaN)).toBeCloseTo(0.1, 10);
    expect((c ?? NaN) - (b ?? NaN)).toBeCloseTo(0.1, 10);
    expect(d).toBeCloseTo(1, 10);
  });

  it('finds the latest results of a scale under its number, or small/full for 20k/200k', () => {
    const files = ['2026-11-23T20-00-00-000Z-small.json', '2026-11-24T09-00-00-000Z-20000.json', '2026-11-23T20-11-12-534Z-full.json', '2026-11-24T10-00-00-000Z-200000.json', '2026-11-25T00-00-00-000Z-2000.json'];
    expect(latestResultsFile(files, 20_000)).toBe('2026-11-24T09-00-00-000Z-20000.json');
    expect(latestResultsFile(files, 200_000)).toBe('2026-11-24T10-00-00-000Z-200000.json');
    expect(latestResultsFile(files.slice(0, 3), 200_000)).toBe('2026-11-23T20-11-12-534Z-full.json');
    expect(latestResultsFile(files, 50_000)).toBeUndefined();
  });
});

describe('BENCHMARKS.md growth section', () => {
  const notes = '## Notes\n- a note\n';
  const bench = `# Benchmarks\n\n## Commands\n- x\n\n${notes}`;

  it('is inserted before the notes, then replaced in place', () => {
    const once = spliceGrowth(bench, '## Growth\nv1\n', notes);
    expect(once).toBe(`# Benchmarks\n\n## Commands\n- x\n\n<!-- growth -->\n## Growth\nv1\n<!-- /growth -->\n\n${notes}`);
    expect(spliceGrowth(once, '## Growth\nv2\n', notes)).toBe(once.replace('v1', 'v2'));
  });

  it('is appended when there are no notes', () => {
    expect(spliceGrowth('# Benchmarks\n', '## Growth\n', '')).toBe('# Benchmarks\n\n<!-- growth -->\n## Growth\n<!-- /growth -->\n');
  });
});
