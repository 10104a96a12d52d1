import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as Plot from '@observablehq/plot';
import { EPISODES, type BenchResult } from './context';
import { fmt, spliceGrowth, type RunInfo } from './report';

// jsdom ships no types (and @types/jsdom is not installed): the one constructor used here, typed with the DOM lib.
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: Window & typeof globalThis } };

/**
 * The growth series (`npm run bench -- --growth 20000,50000,100000,200000`): how each
 * cost grows with the number of episodes, from the latest results JSON of each scale.
 * Everything here but writeGrowthReport is pure, so it is tested without a database.
 */

/** One results JSON as bench/report.ts writes it, with its file name. */
export type ScaleResults = RunInfo & { results: BenchResult[]; file: string };

/** One cost at one scale, as a time in ms; baselines are series of their own. */
export interface Cost {
  label: string;
  baseline: boolean;
  ms: number;
}

export type Verdict = 'linear or better' | 'super-linear';

export interface Series {
  label: string;
  baseline: boolean;
  /** One time per scale, in the order of Growth.episodes. */
  ms: number[];
  msPer1k: number[];
  exponent: number;
  verdict: Verdict;
}

/** The analysis of a growth series: the scales (ascending), the series followed over all of them, and what was left out and why. */
export interface Growth {
  episodes: number[];
  series: Series[];
  skipped: { label: string; reason: string }[];
}

/** Above this exponent a series counts as super-linear: 1.15 leaves room for noise on a shared machine. */
export const LINEAR_LIMIT = 1.15;

/** Latencies are times but not a cost of the data's size (API percentiles, dashboard navigation). */
const LATENCY = /latency|navigation/i;

/**
 * A measure's name without what changes with the scale ("(9,971,811 rows)", "(2037)") and
 * without its unit, so that one series spans all the scales.
 */
export function seriesLabel(measure: string): string {
  return measure.replace(/\s*\([^)]*\)/g, '').replace(/,\s*rows\/s$/, '').trim();
}

/** Whether a result is a time we can follow across scales: ms (but not a latency) or an ingest rate. */
function isCost(measure: string, unit: string): boolean {
  return (unit === 'ms' && !LATENCY.test(measure)) || unit === 'rows/s';
}

/** The rows an ingest rate was measured over: `rows[entity]` of the results JSON, for "ingest <entity> …". */
function rowsOf(measure: string, rows: Record<string, number>): number | undefined {
  const entity = /^ingest (\w+)/.exec(measure)?.[1];
  return entity === undefined ? undefined : rows[entity];
}

/**
 * A value as a time in ms: ms as is; a rows/s rate as the time it takes to load `rows`
 * rows at that rate (the whole file), so rates and times grow on the same axis.
 */
export function toMs(value: number, unit: string, rows?: number): number | undefined {
  if (unit === 'ms') return value;
  if (unit === 'rows/s' && rows !== undefined && value > 0) return (rows / value) * 1000;
  return undefined;
}

/**
 * The costs in one results JSON, each measure followed by its baseline (once per baseline,
 * and not when the baseline is itself a measure, like `refresh --full`); `uncounted` are
 * rates whose row count is not in the JSON's `rows` (FHIR, whose input does not follow the cohort).
 */
export function costsOf(run: Pick<ScaleResults, 'results' | 'rows'>): { costs: Cost[]; uncounted: string[] } {
  const measured = new Set(run.results.map((r) => seriesLabel(r.measure)));
  const costs: Cost[] = [];
  const uncounted: string[] = [];
  for (const r of run.results.filter((x) => isCost(x.measure, x.unit))) {
    const label = seriesLabel(r.measure);
    const rows = rowsOf(r.measure, run.rows);
    const ms = toMs(r.value, r.unit, rows);
    if (ms === undefined) {
      uncounted.push(label);
      continue;
    }
    costs.push({ label, baseline: false, ms });
    const b = r.baseline;
    const bms = b && !measured.has(b.name) ? toMs(b.value, b.unit, rows) : undefined;
    if (b && bms !== undefined) costs.push({ label: `baseline: ${b.name}`, baseline: true, ms: bms });
  }
  return { costs: costs.filter((c, i) => costs.findIndex((d) => d.label === c.label) === i), uncounted };
}

/** The least-squares slope of log(ms) on log(episodes): 1 is linear growth, 2 quadratic, 0 flat. */
export function growthExponent(episodes: number[], ms: number[]): number {
  const xs = episodes.map(Math.log);
  const ys = ms.map(Math.log);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? my) - my), 0);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

/** "linear or better" up to LINEAR_LIMIT, else "super-linear". */
export function verdict(exponent: number): Verdict {
  return exponent <= LINEAR_LIMIT ? 'linear or better' : 'super-linear';
}

/** 20000 → "20k", 2500 → "2,500": how scales are named in the table and on the chart. */
export function scaleName(episodes: number): string {
  return episodes >= 1000 && episodes % 1000 === 0 ? `${episodes / 1000}k` : episodes.toLocaleString('en-US');
}

/** Throws unless there are at least two scales, each once: a slope needs two points. Checked before a growth run, not after. */
export function checkScales(episodes: number[]): void {
  if (new Set(episodes).size < 2 || new Set(episodes).size !== episodes.length) throw new Error(`growth needs at least two different scales, each once (got ${episodes.join(', ')})`);
}

/** Why a label cannot be followed over the scales, or undefined when it can. */
function whySkipped(label: string, episodes: number[], perScale: ReturnType<typeof costsOf>[]): string | undefined {
  const at = (pred: (i: number) => boolean) => episodes.filter((_, i) => pred(i)).map(scaleName).join(', ');
  const uncounted = at((i) => perScale[i]?.uncounted.includes(label) ?? false);
  if (uncounted) return `a rate with no row count in the results' rows at ${uncounted}`;
  const missing = at((i) => !perScale[i]?.costs.some((c) => c.label === label));
  if (missing) return `missing at ${missing}`;
  const zero = at((i) => !perScale[i]?.costs.some((c) => c.label === label && c.ms > 0));
  return zero ? `0 ms (below the timer's resolution) at ${zero}` : undefined;
}

/**
 * The growth of every cost over the scales: per series its times, ms per 1,000 episodes,
 * exponent and verdict; and the costs that could not be followed at every scale, with why.
 */
export function analyseGrowth(runs: Pick<ScaleResults, 'episodes' | 'results' | 'rows'>[]): Growth {
  const sorted = [...runs].sort((a, b) => a.episodes - b.episodes);
  const episodes = sorted.map((r) => r.episodes);
  checkScales(episodes);
  const perScale = sorted.map(costsOf);
  const labels = [...new Set(perScale.flatMap((p) => [...p.costs.map((c) => c.label), ...p.uncounted]))];
  const series: Series[] = [];
  const skipped: Growth['skipped'] = [];
  for (const label of labels) {
    const reason = whySkipped(label, episodes, perScale);
    if (reason) {
      skipped.push({ label, reason });
      continue;
    }
    const costs = perScale.map((p) => p.costs.find((c) => c.label === label));
    const ms = costs.map((c) => c?.ms ?? NaN);
    const exponent = growthExponent(episodes, ms);
    series.push({ label, baseline: costs[0]?.baseline ?? false, ms, msPer1k: ms.map((t, i) => t / ((episodes[i] ?? 1) / 1000)), exponent, verdict: verdict(exponent) });
  }
  return { episodes, series, skipped };
}

/** A figure to three significant digits without padding zeros ("2", "0.3", "12.5", "4,345"): the stages round most times to whole ms. */
function figure(n: number): string {
  return Math.abs(n) >= 100 ? fmt(n) : String(Number(n.toPrecision(3)));
}

/** A time for the table and the axis: "0.3 ms", "850 ms", "12.3 s", "1,234 s". */
function duration(ms: number): string {
  return ms < 1000 ? `${figure(ms)} ms` : `${figure(ms / 1000)} s`;
}

/** The dates of the runs behind the report: each JSON's own, and those of measures it carried from earlier runs. */
function runDates(runs: Pick<ScaleResults, 'startedAt' | 'results'>[]): string[] {
  const carried = runs.flatMap((r) => r.results.map((x) => /from the run of (\d{4}-\d{2}-\d{2})/.exec(x.note ?? '')?.[1]));
  return [...new Set([...runs.map((r) => r.startedAt.slice(0, 10)), ...carried])].filter((d): d is string => d !== undefined).sort();
}

/** The growth section for BENCHMARKS.md: the commands, the run dates, the table, what was left out, and the chart. */
export function growthMarkdown(growth: Growth, runs: Pick<ScaleResults, 'startedAt' | 'results' | 'command' | 'file'>[]): string {
  const first = growth.episodes[0] ?? 0;
  const last = growth.episodes[growth.episodes.length - 1] ?? 0;
  const commands = [...new Set(runs.map((r) => `\`${r.command}\``))].join(', ');
  const lines = [
    `## Growth (${scaleName(first)} → ${scaleName(last)} episodes)`,
    '',
    `Runs by ${commands}, one fresh database per scale, on ${runDates(runs).join(', ')}; this section by \`npm run bench -- --growth-report ${growth.episodes.join(',')}\` from ${runs.map((r) => `\`bench/results/${r.file}\``).join(', ')}.`,
    `Each cost is a time for the whole scale: ms figures as measured, ingest rates (rows/s) turned into the time for the whole file with that scale's row counts; baselines are series of their own, the floor we should grow like.`,
    `The exponent is the least-squares slope of log(time) on log(episodes): 1 is linear, 2 quadratic; up to ${LINEAR_LIMIT} counts as linear or better.`,
    '',
    `| series | ${growth.episodes.map(scaleName).join(' | ')} | ms per 1k episodes at ${scaleName(first)} | at ${scaleName(last)} | exponent | verdict |`,
    `|---|${growth.episodes.map(() => '---|').join('')}---|---|---|---|`,
    ...growth.series.map((s) =>
      `| ${s.label} | ${s.ms.map(duration).join(' | ')} | ${figure(s.msPer1k[0] ?? NaN)} | ${figure(s.msPer1k[s.msPer1k.length - 1] ?? NaN)} | ${s.exponent.toFixed(2)} | ${s.verdict === 'super-linear' ? '**super-linear**' : s.verdict} |`),
    '',
    ...(growth.skipped.length ? ['Left out:', ...growth.skipped.map((s) => `- ${s.label}: ${s.reason}`), ''] : []),
    'Not times of the data, so not followed: peak RSS, throughput, latencies, bundle size.',
    '',
    '![growth](docs/img/growth.svg)',
    '',
  ];
  return lines.join('\n');
}

/**
 * Label positions that do not overlap: each value placed on the log scale [lo, hi] as a
 * fraction of its height, pushed at least `gap` (a fraction) from its neighbours, within [0, 1].
 */
export function spreadLabels(values: number[], lo: number, hi: number, gap: number): number[] {
  const span = Math.log(hi) - Math.log(lo);
  const t = values.map((v) => (Math.log(v) - Math.log(lo)) / span);
  const order = t.map((_, i) => i).sort((a, b) => (t[a] ?? 0) - (t[b] ?? 0));
  const placed = [...t];
  let below = -Infinity;
  for (const i of order) {
    below = Math.max(placed[i] ?? 0, below + gap);
    placed[i] = below;
  }
  let above = Infinity;
  for (const i of [...order].reverse()) {
    above = Math.min(placed[i] ?? 0, above - gap, 1);
    placed[i] = above;
  }
  return placed.map((p) => Math.exp(Math.log(lo) + p * span));
}

const WIDTH = 900;
const HEIGHT = 500;
const MARGIN = { top: 64, bottom: 40, left: 72 };
const LABEL_PX = 12;
/** Plot's observable10 without its grey (grey is for the baselines), and three more, so up to 12 measures each get a colour. */
const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#c3009c', '#6d7f00', '#00829b'];

/**
 * The growth chart as one standalone SVG (Observable Plot, rendered with jsdom): log–log,
 * one line with dots per measure labelled at its right end, baselines in grey, and a
 * dashed line of slope 1 for linear growth. No legend, so Plot returns a lone <svg>.
 */
export function growthSvg(growth: Growth): string {
  const { episodes, series } = growth;
  const first = episodes[0] ?? 1;
  const last = episodes[episodes.length - 1] ?? 1;
  const firsts = series.map((s) => s.ms[0] ?? 1);
  const anchor = Math.exp(firsts.reduce((s, v) => s + Math.log(v), 0) / Math.max(firsts.length, 1));
  const linear = [{ episodes: first, ms: anchor }, { episodes: last, ms: (anchor * last) / first }];
  const all = [...series.flatMap((s) => s.ms), ...linear.map((p) => p.ms)];
  const lo = Math.min(...all) / 1.5;
  const hi = Math.max(...all) * 1.5;

  const ends = [...series.map((s) => ({ label: s.label, baseline: s.baseline, ms: s.ms[s.ms.length - 1] ?? 1 })), { label: 'linear growth (slope 1)', baseline: true, ms: linear[1]?.ms ?? 1 }];
  const placed = spreadLabels(ends.map((e) => e.ms), lo, hi, LABEL_PX / (HEIGHT - MARGIN.top - MARGIN.bottom));
  const labels = ends.map((e, i) => ({ ...e, episodes: last, y: placed[i] ?? e.ms }));
  const points = series.flatMap((s) => s.ms.map((ms, i) => ({ label: s.label, baseline: s.baseline, episodes: episodes[i] ?? 1, ms })));
  const measures = points.filter((p) => !p.baseline);
  const floors = points.filter((p) => p.baseline);
  const longest = Math.max(...labels.map((l) => l.label.length));

  const dom = new JSDOM('');
  const svg = Plot.plot({
    document: dom.window.document,
    width: WIDTH, height: HEIGHT, marginTop: MARGIN.top, marginBottom: MARGIN.bottom, marginLeft: MARGIN.left, marginRight: Math.ceil(longest * 5.6) + 16,
    style: { background: 'white' },
    x: { type: 'log', domain: [first, last], ticks: episodes, tickFormat: scaleName, label: 'episodes (log scale)', labelAnchor: 'center', labelArrow: 'none' },
    y: { type: 'log', domain: [lo, hi], grid: true, label: 'time (log scale)', labelAnchor: 'center', labelArrow: 'none', tickFormat: duration },
    color: { range: PALETTE },
    marks: [
      Plot.line(linear, { x: 'episodes', y: 'ms', stroke: 'black', strokeDasharray: '6,4', strokeWidth: 1 }),
      Plot.line(floors, { x: 'episodes', y: 'ms', z: 'label', stroke: '#888', strokeDasharray: '2,3' }),
      Plot.dot(floors, { x: 'episodes', y: 'ms', fill: '#888', r: 2 }),
      Plot.line(measures, { x: 'episodes', y: 'ms', stroke: 'label', strokeWidth: 1.5 }),
      Plot.dot(measures, { x: 'episodes', y: 'ms', fill: 'label', r: 2.5 }),
      Plot.text(labels.filter((l) => !l.baseline), { x: 'episodes', y: 'y', text: 'label', fill: 'label', textAnchor: 'start', dx: 8 }),
      Plot.text(labels.filter((l) => l.baseline), { x: 'episodes', y: 'y', text: 'label', fill: '#555', textAnchor: 'start', dx: 8 }),
      Plot.text([`How each cost grows with the cohort, ${scaleName(first)} → ${scaleName(last)} episodes`], { frameAnchor: 'top-left', textAnchor: 'start', dy: -46, fontSize: 15, fontWeight: 'bold' }),
      Plot.text(['Time per stage on log–log axes: a line parallel to the dashed one grows linearly; grey dotted lines are the baselines (the floor).'], { frameAnchor: 'top-left', textAnchor: 'start', dy: -28, fontSize: 11, fill: '#555' }),
    ],
  }) as unknown as Element;
  return `${new dom.window.XMLSerializer().serializeToString(svg)}\n`;
}

/** The latest results JSON of a scale among `files`: named by its episode count or, for 20k and 200k, by small/full. */
export function latestResultsFile(files: string[], episodes: number): string | undefined {
  const names = [String(episodes), ...Object.entries(EPISODES).filter(([, n]) => n === episodes).map(([k]) => k)];
  return files.filter((f) => names.some((n) => f.endsWith(`-${n}.json`))).sort().pop();
}

/**
 * Builds the growth report from the latest results of each scale in bench/results: writes
 * docs/img/growth.svg and bench/growth.md, and re-renders BENCHMARKS.md's growth section
 * in place, so the report never needs a bench re-run.
 */
export function writeGrowthReport(scales: number[]): { growth: Growth; markdown: string } {
  const dir = 'bench/results';
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const runs = scales.map((n): ScaleResults => {
    const file = latestResultsFile(files, n);
    if (!file) throw new Error(`no results for ${n} episodes in ${dir}: run \`npm run bench -- --scale ${n}\` first`);
    return { ...(JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')) as Omit<ScaleResults, 'file'>), file };
  });
  const growth = analyseGrowth(runs);
  const markdown = growthMarkdown(growth, [...runs].sort((a, b) => a.episodes - b.episodes));
  fs.mkdirSync('docs/img', { recursive: true });
  fs.writeFileSync('docs/img/growth.svg', growthSvg(growth));
  fs.writeFileSync('bench/growth.md', markdown);
  if (fs.existsSync('BENCHMARKS.md')) {
    const notes = fs.existsSync('bench/NOTES.md') ? fs.readFileSync('bench/NOTES.md', 'utf8') : '';
    fs.writeFileSync('BENCHMARKS.md', spliceGrowth(fs.readFileSync('BENCHMARKS.md', 'utf8'), markdown, notes));
  }
  return { growth, markdown };
}
