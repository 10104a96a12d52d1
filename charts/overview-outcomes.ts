import type { AttendanceResponse, CompletionResponse, GroupBase, RelapseResponse, RetentionResponse, SymptomsResponse, Track } from './types';
import type { ChartElement, ChartOptions } from './common';
import { rateBarsChart, rateRowOf, type RateRow } from './rate-bars';

export interface OutcomesInput {
  retention: RetentionResponse;
  completion: CompletionResponse;
  symptoms: SymptomsResponse;
  relapse: RelapseResponse;
  attendance: AttendanceResponse;
  tracks?: readonly Pick<Track, 'track_code' | 'name'>[];
}

/** One small multiple of the overview: an outcome per track, with its rows. */
export interface OutcomePanel {
  name: string;
  title: string;
  rows: RateRow[];
}

type WithKey = GroupBase;

/** The group with its track's name as its key, so every panel labels rows alike. */
function label<G extends WithKey>(g: G, tracks: OutcomesInput['tracks']): G {
  const code = g.key.track ?? '';
  return { ...g, key: { track: tracks?.find((t) => t.track_code === code)?.name ?? code } };
}

function retentionRows(input: OutcomesInput, at: '30' | 'planned', measure: string): RateRow[] {
  return input.retention.groups.map((raw) => {
    const g = label(raw, input.tracks);
    const point = 'retention_at' in raw ? raw.retention_at[at] : undefined;
    const day = at === 'planned' && 'retention_at' in raw ? raw.retention_at.planned?.day : undefined;
    const row = rateRowOf(g, measure, { rate: point?.survival, ci: point ? [point.lower, point.upper] : null }, ['retention_at']);
    // The planned length differs by track: say which day each bar is read at.
    return day === undefined ? row : { ...row, group: `${row.group} (day ${day})` };
  });
}

/** (recovered + improved) / paired per track, with the Wilson CI the API publishes (`improvement_rate`, `improvement_ci`). */
function improvementRows(input: OutcomesInput): RateRow[] {
  return input.symptoms.groups.map((raw) => {
    const s = 'improvement_rate' in raw ? raw : undefined;
    return rateRowOf(label(raw, input.tracks), 'Reliable improvement', { rate: s?.improvement_rate, ci: s?.improvement_ci, denominator: s?.paired }, ['improvement_rate', 'paired', 'classes']);
  });
}

/** The headline outcomes of docs/metrics.md, one panel each, every track in every panel (suppressed ones marked). */
export function outcomePanels(input: OutcomesInput): OutcomePanel[] {
  const completion = input.completion.groups.map((raw) => {
    const s = 'completion_rate' in raw ? raw : undefined;
    return rateRowOf(label(raw, input.tracks), 'Completion', { rate: s?.completion_rate, ci: s?.completion_ci, numerator: s?.completed, denominator: s?.discharged }, ['completion_rate', 'completed', 'discharged']);
  });
  const abstinence = input.relapse.groups.map((raw) => {
    const s = 'abstinence_rate' in raw ? raw : undefined;
    return rateRowOf(label(raw, input.tracks), 'Abstinence', { rate: s?.abstinence_rate, ci: s?.abstinence_ci, numerator: s?.negative, denominator: s?.tests }, ['abstinence_rate', 'tests', 'negative']);
  });
  const engagement = input.attendance.groups.map((raw) => {
    const s = 'engagement_rate' in raw ? raw : undefined;
    return rateRowOf(label(raw, input.tracks), 'Engagement', { rate: s?.engagement_rate, ci: s?.engagement_ci, numerator: s?.engaged, denominator: s?.n }, ['engagement_rate', 'engaged']);
  });
  return [
    { name: 'overview-retention-30', title: 'Retained at day 30', rows: retentionRows(input, '30', 'Retained at day 30') },
    { name: 'overview-retention-planned', title: 'Retained at the planned length', rows: retentionRows(input, 'planned', 'Retained at planned length') },
    { name: 'overview-completion', title: 'Completion', rows: completion },
    { name: 'overview-improvement', title: 'PHQ-9 reliable improvement', rows: improvementRows(input) },
    { name: 'overview-abstinence', title: 'Abstinence (negative tests)', rows: abstinence },
    { name: 'overview-engagement', title: 'Engagement (IET)', rows: engagement },
  ];
}

/** One small multiple: the tracks as bars with 95% CI whiskers on a shared 0–100% axis. */
export function outcomeChart(panel: OutcomePanel, minCell: number, opts: ChartOptions = {}): ChartElement {
  return rateBarsChart(panel.rows, { width: 480, ...opts, xLabel: `${panel.title} (%) →`, minCell, rowHeight: 22, marginLeft: 180 });
}
