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
  /** The retention group is suppressed whole: its "<min_cell" cells say nothing about which time points exist. */
  retentionWithheld: boolean;
  retention30: OverviewCell;
  retentionPlanned: OverviewCell;
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
    const at = (day: '30' | '90' | 'planned') => {
      const p = rs?.retention_at[day];
      // A time point the API does not offer (no "90" key, planned null) is not available, whatever else is suppressed.
      if (rs && !p) return NA;
      return rateCell(r, p?.survival, p ? [p.lower ?? null, p.upper ?? null] : undefined, ['retention_at']);
    };
    const planned = rs?.retention_at.planned;
    const retentionPlanned = at('planned');
    return {
      track,
      name: names.get(track) ?? track,
      episodes: countCell(r ?? c),
      completion: rateCell(c, cs?.completion_rate, cs?.completion_ci, ['completion_rate', 'completed', 'discharged']),
      retentionWithheld: r !== undefined && isGroupSuppressed(r),
      retention30: withReason(at('30'), r, notFollowed(30)),
      // The planned length differs by track, so the cell names its day.
      retentionPlanned: retentionPlanned.kind === 'value' && planned ? { ...retentionPlanned, text: `${retentionPlanned.text} at day ${planned.day}` }
        : withReason(retentionPlanned, r, planned ? notFollowed(planned.day) : 'No planned length: the track has none recorded (tracks.planned_weeks).'),
      retention90: withReason(at('90'), r, notFollowed(90)),
      reliableImprovement: improvementCell(s),
      abstinence: rateCell(a, as?.abstinence_rate, as?.abstinence_ci, ['abstinence_rate', 'tests', 'negative']),
    };
  });
}

function notFollowed(day: number): string {
  return `Not estimable: no episode in this group was followed to day ${day}, and a Kaplan–Meier curve is not defined past its last follow-up (R survival convention).`;
}

/** Says why a value of a group that exists is missing (a group absent altogether keeps the generic text). */
function withReason(cell: OverviewCell, group: GroupBase | undefined, reason: string): OverviewCell {
  return cell.kind === 'na' && group ? { kind: 'na', reason } : cell;
}

type Column = keyof Omit<OverviewRow, 'track' | 'name' | 'retentionWithheld'>;

/**
 * The columns with something to show: a retention time point no curve reaches (every cell
 * "–") is not offered, so no column is empty (docs/metrics.md "Retention time points").
 */
export function offeredColumns(rows: readonly OverviewRow[]): [Column, string][] {
  const optional: Column[] = ['retention30', 'retentionPlanned', 'retention90'];
  return COLUMNS.filter(([k]) => !optional.includes(k) || rows.some((r) => !r.retentionWithheld && r[k].kind !== 'na'));
}

const COLUMNS: [Column, string][] = [
  ['episodes', 'Episodes'],
  ['completion', 'Completion rate (95% CI)'],
  ['retention30', '30-day retention (95% CI)'],
  ['retentionPlanned', 'Retention at planned length (95% CI)'],
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
  const rows = overviewRows(input);
  const offered = new Set(offeredColumns(rows).map(([k]) => k));
  return rows.map((r) => ({
    track: r.track,
    episodes: text(r.episodes),
    completion_rate: text(r.completion),
    completion_lower: r.completion.kind === 'value' ? (r.completion.lower ?? null) : null,
    completion_upper: r.completion.kind === 'value' ? (r.completion.upper ?? null) : null,
    ...(offered.has('retention30') ? { retention_30: text(r.retention30) } : {}),
    ...(offered.has('retentionPlanned') ? { retention_planned: text(r.retentionPlanned) } : {}),
    ...(offered.has('retention90') ? { retention_90: text(r.retention90) } : {}),
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
  const columns = offeredColumns(rows);
  const table = dataTable(doc, {
    className: 'overview-table',
    caption: `Program outcomes by track, as of ${input.retention.as_of}. "${suppressedText(minCell)}" marks a suppressed small cell.`,
    columns: ['Track', ...columns.map(([, l]) => l)],
    rows: rows.map((r) => ({ label: r.name, dataset: { track: r.track }, cells: columns.map(([k]) => cellElement(doc, r[k], minCell)) })),
  });
  table.dataset.testid = 'overview-table';
  return table;
}
