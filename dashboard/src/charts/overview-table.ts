import { ciText, isFieldSuppressed, isGroupSuppressed, pct, shownGroup, suppressedText, suppressionExplanation } from '../format';
import type { CompletionResponse, GroupBase, Interval, RelapseResponse, RetentionResponse, SymptomsResponse, Track } from '../types';
import { dataTable, emptyState, isNumber, type ChartOptions } from './common';

export interface OverviewInput {
  retention: RetentionResponse;
  completion: CompletionResponse;
  symptoms: SymptomsResponse;
  relapse: RelapseResponse;
  tracks?: readonly Track[];
}

/** A cell is a value, suppressed (shown as "<min_cell"), or not available. */
export type OverviewCell =
  | { kind: 'value'; value: number; lower?: number | null; upper?: number | null; text: string }
  | { kind: 'suppressed' }
  | { kind: 'na'; reason?: string };

export interface OverviewRow {
  track: string;
  name: string;
  episodes: OverviewCell;
  completion: OverviewCell;
  retention90: OverviewCell;
  reliableImprovement: OverviewCell;
  abstinence: OverviewCell;
}

const NA: OverviewCell = { kind: 'na' };
const SUPPRESSED: OverviewCell = { kind: 'suppressed' };

function byTrack<G extends GroupBase>(groups: readonly G[]): Map<string, G> {
  return new Map(groups.flatMap((g) => (g.key.track === undefined ? [] : [[g.key.track, g] as const])));
}

function rateCell(group: GroupBase | undefined, value: number | null | undefined, ci: Interval | null | undefined, fields: string[]): OverviewCell {
  if (!group) return NA;
  if (fields.some((f) => isFieldSuppressed(group, f))) return SUPPRESSED;
  if (!isNumber(value)) return NA;
  const interval = ciText(ci, (v) => pct(v, 0));
  return { kind: 'value', value, lower: ci?.[0] ?? null, upper: ci?.[1] ?? null, text: interval ? `${pct(value)} (${interval})` : pct(value) };
}

function countCell(group: GroupBase | undefined): OverviewCell {
  if (!group) return NA;
  if (isFieldSuppressed(group, 'n')) return SUPPRESSED;
  return isNumber(group.n) ? { kind: 'value', value: group.n, text: String(group.n) } : NA;
}

/** (recovered + improved) / paired; withheld when either class count is (docs/metrics.md "Small-cell suppression"). */
function improvementCell(group: SymptomsResponse['groups'][number] | undefined): OverviewCell {
  if (!group) return NA;
  if (isGroupSuppressed(group)) return SUPPRESSED;
  if (['paired', 'classes', 'recovered', 'improved'].some((f) => isFieldSuppressed(group, f))) return SUPPRESSED;
  const c = group.classes;
  if (!c || !isNumber(group.paired) || group.paired === 0 || !isNumber(c.improved)) return c && c.improved === null ? SUPPRESSED : NA;
  const recovered = isNumber(c.recovered) ? c.recovered : 0;
  const value = (recovered + c.improved) / group.paired;
  return { kind: 'value', value, text: `${pct(value)} of ${group.paired}` };
}

export function overviewRows(input: OverviewInput): OverviewRow[] {
  const ret = byTrack(input.retention.groups);
  const comp = byTrack(input.completion.groups);
  const sym = byTrack(input.symptoms.groups);
  const rel = byTrack(input.relapse.groups);
  const names = new Map((input.tracks ?? []).map((t) => [t.track_code, t.name]));
  const codes = [...new Set([...ret.keys(), ...comp.keys(), ...sym.keys(), ...rel.keys()])].sort();
  return codes.map((track) => {
    const r = ret.get(track);
    const c = comp.get(track);
    const s = sym.get(track);
    const a = rel.get(track);
    const [rs, cs, as] = [shownGroup(r), shownGroup(c), shownGroup(a)];
    const at90 = rs?.retention_at['90'];
    return {
      track,
      name: names.get(track) ?? track,
      episodes: countCell(r ?? c),
      completion: rateCell(c, cs?.completion_rate, cs?.completion_ci, ['completion_rate', 'completed', 'discharged']),
      retention90: withReason(
        rateCell(r, at90?.survival, at90 ? [at90.lower ?? null, at90.upper ?? null] : undefined, ['retention_at']),
        r,
        'Not estimable: no episode in this group was followed to day 90, and a Kaplan–Meier curve is not defined past its last follow-up (R survival convention).',
      ),
      reliableImprovement: improvementCell(s),
      abstinence: rateCell(a, as?.abstinence_rate, as?.abstinence_ci, ['abstinence_rate', 'tests', 'negative']),
    };
  });
}

/** Says why a value of a group that exists is missing (a group absent altogether keeps the generic text). */
function withReason(cell: OverviewCell, group: GroupBase | undefined, reason: string): OverviewCell {
  return cell.kind === 'na' && group ? { kind: 'na', reason } : cell;
}

const COLUMNS: [keyof Omit<OverviewRow, 'track' | 'name'>, string][] = [
  ['episodes', 'Episodes'],
  ['completion', 'Completion rate (95% CI)'],
  ['retention90', '90-day retention (95% CI)'],
  ['reliableImprovement', 'PHQ-9 reliable improvement'],
  ['abstinence', 'Abstinence rate (95% CI)'],
];

function cellElement(doc: Document, cell: OverviewCell, minCell: number): HTMLTableCellElement {
  const td = doc.createElement('td');
  if (cell.kind === 'value') {
    td.textContent = cell.text;
    return td;
  }
  if (cell.kind === 'na') {
    td.textContent = '–';
    td.title = cell.reason ?? 'Not available for these filters.';
    return td;
  }
  const abbr = doc.createElement('abbr');
  abbr.className = 'suppressed';
  abbr.textContent = suppressedText(minCell);
  abbr.title = suppressionExplanation(minCell);
  abbr.tabIndex = 0;
  abbr.setAttribute('aria-label', `Suppressed, fewer than ${minCell}. ${suppressionExplanation(minCell)}`);
  td.append(abbr);
  td.dataset.suppressed = 'true';
  return td;
}

export function overviewCsvRows(input: OverviewInput): Record<string, string | number | null>[] {
  const min = input.retention.min_cell;
  const text = (c: OverviewCell) => (c.kind === 'value' ? c.value : c.kind === 'suppressed' ? suppressedText(min) : null);
  return overviewRows(input).map((r) => ({
    track: r.track,
    episodes: text(r.episodes),
    completion_rate: text(r.completion),
    completion_lower: r.completion.kind === 'value' ? (r.completion.lower ?? null) : null,
    completion_upper: r.completion.kind === 'value' ? (r.completion.upper ?? null) : null,
    retention_90: text(r.retention90),
    phq9_reliable_improvement: text(r.reliableImprovement),
    abstinence_rate: text(r.abstinence),
  }));
}

/** One row per track: the headline numbers a director reads first. */
export function overviewTable(input: OverviewInput, opts: ChartOptions = {}): HTMLElement {
  const doc = opts.document ?? document;
  const rows = overviewRows(input);
  if (rows.length === 0) return emptyState('No tracks to show for these filters.', doc);
  const minCell = input.retention.min_cell;
  const table = dataTable(doc, {
    className: 'overview-table',
    caption: `Program outcomes by track, as of ${input.retention.as_of}. "${suppressedText(minCell)}" marks a suppressed small cell.`,
    columns: ['Track', ...COLUMNS.map(([, l]) => l)],
    rows: rows.map((r) => ({ label: r.name, dataset: { track: r.track }, cells: COLUMNS.map(([k]) => cellElement(doc, r[k], minCell)) })),
  });
  table.dataset.testid = 'overview-table';
  return table;
}
