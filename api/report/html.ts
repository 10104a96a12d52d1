import type { CompletenessRow } from '../../metrics/completeness';
import type { DisclosureRule } from '../../metrics/disclosure';
import type { ReportFigure } from './figures';
import type { ReportData } from './gather';
import { formatCell, formatInterval, MISSING, SUPPRESSED } from './format';
import type { Table } from './model';

/**
 * The printable program-effectiveness report: static HTML with a print stylesheet, no
 * scripts, so "Print → Save as PDF" in any browser gives a document fit for a grant
 * application or an accreditation survey. Every value is escaped.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --rule: #d0d5dc; --band: #f3f5f8; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.meta dt { font-weight: 600; display: inline; }
.meta dd { display: inline; margin: 0 1rem 0 .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .45rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: var(--band); font-weight: 600; font-size: .9em; }
.ci { display: block; color: var(--muted); font-size: .8em; }
.note, .definition, .fine { color: var(--muted); font-size: .9em; }
.definition { margin: .25rem 0 0; padding-left: 1.2rem; }
.definition li { margin: 0 0 .2rem; }
.suppressed-row td { color: var(--muted); font-style: italic; }
section { break-inside: avoid-page; }
.figure-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: .5rem 1.5rem; }
figure { margin: 0; break-inside: avoid; }
figure figcaption { font-weight: 600; margin: .25rem 0; }
figure svg { max-width: 100%; height: auto; display: block; }
h2 + table, h2 + p { break-before: avoid; }
@page { size: auto; margin: 16mm 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { break-after: avoid-page; page-break-after: avoid; }
  .figure-grid { grid-template-columns: 1fr 1fr; }
  section.tables-start { break-before: page; }
  table { break-inside: auto; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}`;

function cellHtml(table: Table, row: Table['rows'][number], i: number): string {
  const cell = row.cells[i];
  const col = table.columns[i];
  if (!cell || !col) return '<td></td>';
  const ci = cell.suppressed ? '' : formatInterval(cell, col.kind);
  return `<td>${escapeHtml(formatCell(cell, col.kind))}${ci ? `<span class="ci">${escapeHtml(ci)}</span>` : ''}</td>`;
}

/**
 * The definition in the sentences the response carries (`definition.text`, generated from
 * the block itself). Suppression and disclosure are stated once, under "About this report".
 */
function definitionHtml(definition: Table['definition']): string {
  const items = Object.entries(definition.text)
    .filter(([k]) => k !== 'suppression' && k !== 'disclosure')
    .map(([, sentence]) => `<li>${escapeHtml(sentence)}</li>`);
  return items.length ? `<ul class="definition">${items.join('')}</ul>` : '';
}

function tableHtml(table: Table): string {
  const head = `<tr><th scope="col">Track</th>${table.columns.map((c) => `<th scope="col">${escapeHtml(c.label)}</th>`).join('')}</tr>`;
  const body = table.rows.length === 0
    ? `<tr><td colspan="${table.columns.length + 1}">No episodes in scope.</td></tr>`
    : table.rows.map((row) => row.suppressed
      ? `<tr class="suppressed-row"><td>${escapeHtml(row.name)}</td><td colspan="${table.columns.length}">${SUPPRESSED} fewer episodes than the minimum cell size: not shown</td></tr>`
      : `<tr><td>${escapeHtml(row.name)}</td>${table.columns.map((_, i) => cellHtml(table, row, i)).join('')}</tr>`).join('');
  return `<section><h2>${escapeHtml(table.title)}</h2>
<table><thead>${head}</thead><tbody>${body}</tbody></table>
${table.note ? `<p class="note">${escapeHtml(table.note)}</p>` : ''}
<p class="fine">Definition used:</p>${definitionHtml(table.definition)}</section>`;
}

function completenessHtml(rows: readonly CompletenessRow[]): string {
  const n = (v: number | null) => (v === null ? SUPPRESSED : String(v));
  const body = rows.map((r) => `<tr><td>${escapeHtml(r.label)}</td><td>${n(r.with)}</td><td>${n(r.without)}</td><td>${n(r.total)}</td></tr>`).join('');
  return `<section><h2>Data completeness</h2>
<table><thead><tr><th scope="col">Episodes in scope</th><th scope="col">With</th><th scope="col">Without</th><th scope="col">Total</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Metrics are computed from the data present: episodes without attendance records, scores or tests do not contribute to the corresponding measures.</p></section>`;
}

/** The disclosure-control note of a report for a role below analyst (docs/metrics.md "Disclosure control"). */
function disclosureHtml(rule: DisclosureRule): string {
  return `<p data-disclosure="${escapeHtml(rule.method)}"><strong>Disclosure control.</strong> Every count is rounded to the nearest multiple of ${rule.base} (after suppression), `
    + 'so totals may differ from the sum of their parts; rates, intervals and survival are recomputed from the rounded counts; '
    + `dates are taken in whole months: ${escapeHtml(rule.dates)}. Source: ${escapeHtml(rule.source)}.</p>`;
}

/** The headline figures: the overview's small multiples, drawn by the dashboard's chart functions (api/report/figures.ts). */
function figuresHtml(figures: readonly ReportFigure[], minCell: number): string {
  if (figures.length === 0) return '';
  return `<section class="figures"><h2>Headline outcomes</h2>
<p class="note">One bar per track with its 95% confidence interval (the black whisker); “&lt;${minCell}” marks a value withheld for privacy, “n/a” one that cannot be estimated. The tables below give every figure.</p>
<div class="figure-grid">${figures.map((f) => `<figure data-figure="${escapeHtml(f.name)}"><figcaption>${escapeHtml(f.title)}</figcaption>${f.svg}</figure>`).join('\n')}</div></section>`;
}

export function renderReportHtml(data: ReportData, figures: readonly ReportFigure[] = []): string {
  const scope = data.tracks.map((t) => `${t.name} (${t.track_code})`).join(', ') || 'no tracks';
  const window = data.from || data.to ? `${data.from ?? 'first'} to ${data.to ?? 'last'}` : 'all admissions';
  const rule = typeof data.suppression.rule === 'string' ? data.suppression.rule : '';
  const limits = Object.entries(data.limits).map(([k, v]) => `${k.replace('_', ' ')} ${v.join(', ')}`).join('; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Program effectiveness report, as of ${escapeHtml(data.as_of)}</title><style>${STYLE}</style></head>
<body><header><h1>Program effectiveness report</h1>
<dl class="meta"><dt>As of</dt><dd>${escapeHtml(data.as_of)}</dd><dt>Admissions</dt><dd>${escapeHtml(window)}</dd>
<dt>Minimum cell size</dt><dd>${data.min_cell}</dd><dt>Generated</dt><dd>${escapeHtml(data.generated_at)}</dd></dl>
<p><strong>Tracks:</strong> ${escapeHtml(scope)}</p>${limits ? `
<p><strong>Limited to:</strong> ${escapeHtml(limits)}</p>` : ''}</header>
<section><h2>About this report</h2>
<p>Outcomes of the program's episodes of care, by track, computed by IOP Outcomes from the program's own records with published definitions: each section states, in plain sentences, the definition it used, and the references at the end give the source of each method. Rates show their 95% confidence interval below the value (Wilson score intervals for proportions, Kaplan–Meier log-scale intervals for retention, t-intervals for means).</p>
<p><strong>Small-cell suppression.</strong> ${escapeHtml(rule)}. A suppressed value is shown as “${SUPPRESSED}”; “${MISSING}” means there was nothing to compute. Source: ${escapeHtml(String(data.suppression.source ?? ''))}.</p>
${data.disclosure ? disclosureHtml(data.disclosure) : ''}
</section>
${figuresHtml(figures, data.min_cell)}
${data.tables.map(tableHtml).join('\n')}
${data.measures.length ? `<section><h2>Standard measures</h2><p>Named measures as funders and accreditors define them, adapted to the program's records; each table states its definition, its source and how it differs from the official specification. Each is selected by its index date.</p></section>\n${data.measures.map(tableHtml).join('\n')}` : ''}
${completenessHtml(data.completeness)}
<footer class="fine"><h2>References</h2><ul>
<li>Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc. 1958;53:457–481 (retention and time to relapse).</li>
<li>Greenwood M. The natural duration of cancer. Reports on Public Health and Medical Subjects 33. London: HMSO; 1926 (their confidence intervals).</li>
<li>Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc. 1927;22:209–212 (intervals of rates).</li>
<li>Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful change in psychotherapy research. J Consult Clin Psychol. 1991;59:12–19 (reliable change).</li>
<li>Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med. 2001;16:606–613.</li>
<li>NCQA. HEDIS Initiation and Engagement of Substance Use Disorder Treatment (IET), adapted to the program's sessions.</li>
<li>SAMHSA. Treatment Episode Data Set – Discharges (TEDS-D): discharge reasons and completion.</li>
<li>CMS. Cell size suppression policy: counts of 1 to 10 are not published.</li>
</ul></footer>
</body></html>`;
}
