import { csvDocument, type CsvValue } from '../csv-cell';
import type { SpcResponse } from './schema';

/**
 * The SPC chart as CSV (`--format csv`, `?format=csv`): one row per charted point, then
 * one per immature period (`status` says which), with the phase's run figures on each
 * point row so a spreadsheet can redraw the chart and read its signals.
 */
const COLUMNS = ['status', 'period', 'start', 'end', 'phase', 'numerator', 'denominator', 'value', 'cl', 'lcl', 'ucl', 'target', 'sigma_signal', 'runs_signal', 'suppressed', 'matures_on'] as const;

export function spcToCsv(r: SpcResponse): string {
  const target = r.target?.value ?? null;
  const runs = new Map(r.phases.map((p) => [p.phase, p.runs_signal]));
  const rows: CsvValue[][] = [
    ...r.points.map((p) => ['point', p.period, p.start, p.end, p.phase, p.numerator, p.denominator, p.value, p.cl, p.lcl, p.ucl, target, p.sigma_signal, runs.get(p.phase) ?? false, p.suppressed, null]),
    ...r.immature.map((p) => ['immature', p.period, p.start, p.end, null, p.numerator, p.denominator, p.value, null, null, null, target, null, null, p.suppressed, p.matures_on]),
  ];
  return csvDocument([[...COLUMNS], ...rows]);
}

const fmt = (v: number | null, digits = 3): string => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(digits));

/** The chart as a terminal table: the points, then each phase's run figures in words. */
export function spcToTable(r: SpcResponse): string {
  const head = ['period', 'phase', 'num', 'den', 'value', 'lcl', 'cl', 'ucl', 'signal'];
  const lines = r.points.map((p) => [p.period, String(p.phase), fmt(p.numerator), fmt(p.denominator), p.suppressed ? '<suppressed>' : fmt(p.value), fmt(p.lcl), fmt(p.cl), fmt(p.ucl), p.sigma_signal ? 'outside limits' : '']);
  for (const p of r.immature) lines.push([p.period, 'immature', fmt(p.numerator), fmt(p.denominator), p.suppressed ? '<suppressed>' : fmt(p.value), '', '', '', `matures ${p.matures_on}`]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  const render = (l: string[]) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const phases = r.phases.map((p) => `phase ${p.phase} (${p.first}..${p.last}${p.split ? `, from ${p.split}` : ''}): centre ${fmt(p.cl)}, n ${p.n_useful}, longest run ${fmt(p.longest_run)} (limit ${fmt(p.longest_run_max)}), crossings ${fmt(p.n_crossings)} (limit ${fmt(p.n_crossings_min)})` +
    `${p.shift_signal ? ', SHIFT' : ''}${p.crossings_signal ? ', TOO FEW CROSSINGS' : ''}, ${p.sigma_signals} point(s) outside the limits`);
  const header = `${r.series} ${r.chart === 'p' ? (r.laney ? "p'-chart" : 'p-chart') : 'I-chart'}${r.filters.period_basis === 'discharge' ? ' by discharge period' : ''} as of ${r.as_of} (min cell ${r.min_cell}${r.target ? `; target ${r.target.value}` : ''})`;
  return [header, ...all.map(render), ...phases, ...r.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}
