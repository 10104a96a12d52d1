import type { KmRow } from './stats/kaplan-meier';
import type { GroupBy, Period } from './filters';

/**
 * The response shapes of METRICS.md ("Shared response shape" and each family's
 * group fields), plus the dashboard extensions documented in docs/metrics.md
 * (`by_week`, `scatter`). A suppressed numeric field is null and named in the
 * group's `suppressed` list.
 */

export const METRIC_NAMES = ['retention', 'completion', 'attendance', 'symptoms', 'relapse'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type GroupKey = Partial<Record<GroupBy, string>>;
export type Interval = [number, number];

export interface EchoedFilters {
  track: string[] | null;
  from: string | null;
  to: string | null;
  group_by: GroupBy;
  period: Period;
  instrument?: string;
  substance?: string | null;
  missing_as_positive?: boolean;
}

export interface SuppressedGroup {
  key: GroupKey;
  suppressed: ['all'];
}

export interface LogRankOut {
  chi2: number;
  df: number;
  p: number;
}

export interface SurvivalPoint {
  survival: number | null;
  lower: number | null;
  upper: number | null;
}

export interface KmFields {
  events: number | null;
  median_days: number | null;
  median_ci: [number | null, number | null] | null;
  curve: KmRow[];
}

export interface RetentionGroup extends KmFields {
  key: GroupKey;
  n: number;
  retention_at: Record<'30' | '60' | '90', SurvivalPoint>;
  suppressed?: string[];
}

export interface CompletionGroup {
  key: GroupKey;
  n: number;
  discharged: number | null;
  completed: number | null;
  completion_rate: number | null;
  completion_ci: Interval | null;
  positive_discharge_rate: number | null;
  positive_discharge_ci: Interval | null;
  los_median: number | null;
  los_iqr: [number, number] | null;
  reasons: Record<string, number | null>;
  suppressed?: string[];
}

export interface AttendanceWeek {
  week: number;
  attended: number | null;
  no_show: number | null;
  attendance_rate: number | null;
  lower: number | null;
  upper: number | null;
}

export interface AttendanceGroup {
  key: GroupKey;
  n: number;
  attended: number | null;
  no_show: number | null;
  attendance_rate: number | null;
  attendance_ci: Interval | null;
  sessions_per_week: number | null;
  initiated: number | null;
  initiation_rate: number | null;
  initiation_ci: Interval | null;
  engaged: number | null;
  engagement_rate: number | null;
  engagement_ci: Interval | null;
  by_week: AttendanceWeek[];
  suppressed?: string[];
}

export interface TrajectoryPoint {
  week: number;
  n: number | null;
  mean: number | null;
  lower: number | null;
  upper: number | null;
}

export interface ScatterCell {
  baseline: number;
  followup: number;
  n: number;
}

export interface ChangeClasses {
  recovered: number | null;
  improved: number | null;
  unchanged: number | null;
  deteriorated: number | null;
}

export interface SymptomsGroup {
  key: GroupKey;
  n: number;
  with_baseline: number | null;
  paired: number | null;
  completeness: number | null;
  baseline_mean: number | null;
  followup_mean: number | null;
  change_mean: number | null;
  change_ci: [number, number] | null;
  cohens_d: number | null;
  rc_threshold: number | null;
  classes: ChangeClasses;
  response_rate: number | null;
  response_ci: Interval | null;
  remission_rate: number | null;
  remission_ci: Interval | null;
  trajectory: TrajectoryPoint[];
  scatter: ScatterCell[];
  suppressed?: string[];
}

export interface RelapseWeek {
  week: number;
  tests: number | null;
  negative: number | null;
  abstinence_rate: number | null;
  lower: number | null;
  upper: number | null;
}

export interface SelfReport {
  intake_n: number | null;
  intake_mean: number | null;
  latest_n: number | null;
  latest_mean: number | null;
  change_n: number | null;
  change_mean: number | null;
  change_ci: [number, number] | null;
}

export interface RelapseGroup extends KmFields {
  key: GroupKey;
  n: number;
  tests: number | null;
  negative: number | null;
  abstinence_rate: number | null;
  abstinence_ci: Interval | null;
  eot_episodes: number | null;
  eot_abstinent: number | null;
  eot_abstinence_rate: number | null;
  eot_abstinence_ci: Interval | null;
  with_negative: number | null;
  relapsed: number | null;
  relapse_rate: number | null;
  relapse_ci: Interval | null;
  self_report: SelfReport;
  by_week: RelapseWeek[];
  suppressed?: string[];
}

export type GroupOf<M extends MetricName> = {
  retention: RetentionGroup;
  completion: CompletionGroup;
  attendance: AttendanceGroup;
  symptoms: SymptomsGroup;
  relapse: RelapseGroup;
}[M];

export interface MetricResponse<M extends MetricName = MetricName> {
  metric: M;
  as_of: string;
  min_cell: number;
  filters: EchoedFilters;
  definition: Record<string, unknown>;
  groups: (GroupOf<M> | SuppressedGroup)[];
  /** Retention and relapse only: the log-rank test across the groups present. */
  log_rank?: LogRankOut | null;
  suppressed: boolean;
}

export function isSuppressedGroup(g: object): g is SuppressedGroup {
  return 'suppressed' in g && Array.isArray(g.suppressed) && g.suppressed.length === 1 && g.suppressed[0] === 'all' && !('n' in g);
}
