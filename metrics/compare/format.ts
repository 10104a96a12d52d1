import type { AdjustedComparison, ComparisonResponse, EquityComparison } from './schema';

/**
 * `iop compare --format table`: the model table and the units (or the equity groups) as
 * plain text for a terminal. The JSON is the contract; this is for reading.
 */
const cell = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : Number(v.toFixed(digits)).toString());
const pair = (v: [number, number] | null): string => (v === null ? '—' : `${cell(v[0])}–${cell(v[1])}`);

function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, j) => c.padEnd(widths[j] ?? 0)).join('  ').trimEnd()).join('\n');
}

function adjusted(r: AdjustedComparison): string {
  const m = r.model;
  const out = [`${r.comparison} by ${r.by}, as of ${r.as_of}; adjusted for ${r.adjust_for.join(', ') || 'nothing (crude rates)'}`];
  if (m.status !== 'ok') {
    out.push(`Model: ${m.message ?? m.status}`);
  } else {
    out.push(`Model: n = ${cell(m.n, 0)}, deviance ${cell(m.deviance, 2)} (null ${cell(m.null_deviance, 2)}), AIC ${cell(m.aic, 2)}, c-statistic ${cell(m.c_statistic)}`);
    out.push(columns([['term', 'estimate', 'std_error', 'z', 'p'], ...m.coefficients.map((c) => [c.term, cell(c.estimate, 6), cell(c.std_error, 6), cell(c.z), cell(c.p, 4)])]));
  }
  out.push(`Funnel: overdispersion ${r.overdispersion}${r.funnel.adjusted ? ` (φ ${cell(r.funnel.phi)}, τ² ${cell(r.funnel.tau2, 5)})` : ''}`);
  out.push(columns([['unit', 'n', 'observed', 'expected', 'O/E', '95% CI', 'position'], ...r.units.map((u) => ('n' in u
    ? [u.key, String(u.n), cell(u.observed, 0), cell(u.expected, 2), cell(u.oe), pair(u.oe_ci), u.position ?? '—']
    : [u.key, 'suppressed', '', '', '', '', '']))]));
  out.push(`Episodes ${r.notes.episodes}; left out without a baseline ${r.notes.without_baseline}, without a birth year ${r.notes.without_age}; modelled ${r.notes.modelled}`);
  if (r.notes.excluded !== undefined) out.push(outsideDenominator(r.notes.excluded, r.notes.window_open ?? null));
  return out.join('\n\n');
}

/** A standard measure's episodes outside its denominator. */
function outsideDenominator(excluded: number | null, windowOpen: number | null): string {
  return `Outside the measure's denominator: excluded ${cell(excluded, 0)}, window open ${cell(windowOpen, 0)}`;
}

function equity(r: EquityComparison): string {
  return [`${r.comparison} by ${r.by}, as of ${r.as_of}; ratios to ${r.reference ?? '(no reference group)'}`,
    columns([['group', 'n', 'events', 'rate', '95% CI', 'ratio', '95% CI'], ...r.groups.map((g) => ('n' in g
      ? [g.key, String(g.n), cell(g.events, 0), cell(g.rate), pair(g.rate_ci), cell(g.ratio), pair(g.ratio_ci)]
      : [g.key, 'suppressed', '', '', '', '', '']))]),
    ...(r.notes ? [outsideDenominator(r.notes.excluded, r.notes.window_open)] : [])].join('\n\n');
}

export function comparisonTable(r: ComparisonResponse): string {
  return r.kind === 'adjusted' ? adjusted(r) : equity(r);
}
