import fs from 'node:fs';
import os from 'node:os';
import type { BenchResult } from './context';

/** Writes BENCHMARKS.md and bench/results/<stamp>.json from one run's results. */
export interface RunInfo {
  scale: string;
  episodes: number;
  rows: Record<string, number>;
  pgVersion: string;
  startedAt: string;
  command: string;
}

export function machineFacts(pgVersion: string): string[] {
  return [
    `- CPU: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    `- RAM: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, ${pgVersion}`,
    `- OS: ${os.type()} ${os.release()}`,
  ];
}

/** A figure for the tables: whole and grouped from 100 up, three significant digits below. */
export const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

const GROWTH_START = '<!-- growth -->';
const GROWTH_END = '<!-- /growth -->';

/**
 * BENCHMARKS.md with the growth section (bench/growth.md) between its markers, replacing
 * what was there, or inserted before the notes when there are no markers yet: the growth
 * report re-renders it in place, without a bench run.
 */
export function spliceGrowth(benchmarks: string, growth: string, notes: string): string {
  const block = `${GROWTH_START}\n${growth.trim()}\n${GROWTH_END}\n`;
  const start = benchmarks.indexOf(GROWTH_START);
  const end = benchmarks.indexOf(GROWTH_END);
  if (start >= 0 && end > start) return `${benchmarks.slice(0, start)}${block}${benchmarks.slice(end + GROWTH_END.length).replace(/^\n/, '')}`;
  const at = notes ? benchmarks.lastIndexOf(notes) : -1;
  if (at < 0) return `${benchmarks}${benchmarks.endsWith('\n\n') ? '' : '\n'}${block}`;
  return `${benchmarks.slice(0, at)}${block}\n${benchmarks.slice(at)}`;
}

/**
 * Results of a partial run (`--only`) are merged over the latest earlier run of the same
 * scale, so BENCHMARKS.md always shows every measure; each keeps the date of its run.
 */
function mergeWithPrevious(info: RunInfo, results: BenchResult[]): BenchResult[] {
  const dir = 'bench/results';
  if (!fs.existsSync(dir)) return results;
  const previous = fs.readdirSync(dir).filter((f) => f.endsWith(`-${info.scale}.json`)).sort().pop();
  if (!previous) return results;
  const old = JSON.parse(fs.readFileSync(`${dir}/${previous}`, 'utf8')) as { results: BenchResult[]; startedAt: string };
  const fresh = new Set(results.map((r) => r.measure));
  const kept = old.results.filter((r) => !fresh.has(r.measure)).map((r) => ({ ...r, note: r.note ?? `from the run of ${old.startedAt.slice(0, 10)}` }));
  return [...kept, ...results];
}

export function writeReport(info: RunInfo, fresh: BenchResult[]): void {
  const results = mergeWithPrevious(info, fresh);
  fs.mkdirSync('bench/results', { recursive: true });
  const stamp = info.startedAt.replace(/[:.]/g, '-');
  fs.writeFileSync(`bench/results/${stamp}-${info.scale}.json`, `${JSON.stringify({ ...info, results }, null, 2)}\n`);

  const lines = [
    '# Benchmarks',
    '',
    `Produced by \`${info.command}\` on ${info.startedAt.slice(0, 10)}; the raw figures are in \`bench/results/${stamp}-${info.scale}.json\`.`,
    'Each figure is a ratio against a baseline timed in the same run, because this machine is shared and noisy.',
    '',
    '## Machine',
    ...machineFacts(info.pgVersion),
    '',
    `## Data: \`iop generate --episodes ${info.episodes} --seed 42\``,
    ...Object.entries(info.rows).map(([k, v]) => `- ${k}: ${v.toLocaleString('en-US')} rows`),
    '',
    '## Results',
    '| measure | value | baseline (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...results.map((r) =>
      `| ${r.measure} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : '–'} | ${r.ratio !== undefined ? `${r.ratio.toFixed(3)}×` : '–'} | ${r.target ?? '–'} | ${r.met === undefined ? '–' : r.met ? 'met' : '**not met**'} |`),
    '',
    '## Commands',
    ...results.map((r) => `- ${r.measure}: \`${r.command}\`${r.note ? ` (${r.note})` : ''}`),
    '',
  ];
  const notes = fs.existsSync('bench/NOTES.md') ? fs.readFileSync('bench/NOTES.md', 'utf8') : '';
  const text = `${lines.join('\n')}${notes ? `\n${notes}` : ''}`;
  const growth = fs.existsSync('bench/growth.md') ? fs.readFileSync('bench/growth.md', 'utf8') : '';
  fs.writeFileSync('BENCHMARKS.md', growth ? spliceGrowth(text, growth, notes) : text);
}
