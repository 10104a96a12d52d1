// Response shapes of the HTTP API (DESIGN.md §7, METRICS.md). The dashboard depends on these
// types only, never on the api/ or metrics/ modules. Fields marked optional are extensions the
// API may add later; every reader tolerates their absence.

export type MetricName = 'retention' | 'completion' | 'attendance' | 'symptoms' | 'relapse';
export type GroupBy = 'track' | 'period' | 'sex' | 'age_band' | 'substance';
export type Period = 'month' | 'quarter' | 'year';

/** A rate or count that small-cell suppression may have replaced by null. */
export type Maybe<T> = T | null;
export type Interval = [Maybe<number>, Maybe<number>];

export interface GroupBase {
  key: Record<string, string>;
  n?: Maybe<number>;
  /** Names of the fields suppressed in this group; `["all"]` when the whole group is. */
  suppressed?: string[];
}

export interface MetricResponse<G extends GroupBase, M extends MetricName = MetricName> {
  metric: M;
  as_of: string;
  min_cell: number;
  filters: Record<string, unknown>;
  definition: Record<string, unknown>;
  groups: G[];
  suppressed: boolean;
}

export interface CurvePoint {
  day: number;
  at_risk: number;
  events: number;
  censored: number;
  survival: Maybe<number>;
  std_err: Maybe<number>;
  lower: Maybe<number>;
  upper: Maybe<number>;
}

export interface SurvivalAt {
  survival?: Maybe<number>;
  lower?: Maybe<number>;
  upper?: Maybe<number>;
}

export interface LogRank {
  chi2: number;
  df: number;
  p: number;
}

/** The KM fields shared by retention and relapse's time to relapse. */
export interface KmFields {
  events?: Maybe<number>;
  median_days?: Maybe<number>;
  median_ci?: Interval;
  curve?: CurvePoint[];
}

export interface RetentionGroup extends GroupBase, KmFields {
  retention_at?: Record<string, SurvivalAt>;
}

export interface CompletionGroup extends GroupBase {
  discharged?: Maybe<number>;
  completed?: Maybe<number>;
  completion_rate?: Maybe<number>;
  completion_ci?: Interval;
  positive_discharge_rate?: Maybe<number>;
  positive_discharge_ci?: Interval;
  los_median?: Maybe<number>;
  los_iqr?: Interval;
  reasons?: Record<string, Maybe<number>>;
}

export interface AttendanceWeek {
  week: number;
  attended: Maybe<number>;
  no_show: Maybe<number>;
  attendance_rate: Maybe<number>;
  lower: Maybe<number>;
  upper: Maybe<number>;
}

export interface AttendanceGroup extends GroupBase {
  attended?: Maybe<number>;
  no_show?: Maybe<number>;
  attendance_rate?: Maybe<number>;
  attendance_ci?: Interval;
  sessions_per_week?: Maybe<number>;
  initiated?: Maybe<number>;
  initiation_rate?: Maybe<number>;
  initiation_ci?: Interval;
  engaged?: Maybe<number>;
  engagement_rate?: Maybe<number>;
  engagement_ci?: Interval;
  by_week?: AttendanceWeek[];
}

export interface TrajectoryPoint {
  week: number;
  n: Maybe<number>;
  mean: Maybe<number>;
  lower: Maybe<number>;
  upper: Maybe<number>;
}

export interface ScatterCell {
  baseline: number;
  followup: number;
  n: number;
}

export interface JtClasses {
  recovered: Maybe<number>;
  improved: Maybe<number>;
  unchanged: Maybe<number>;
  deteriorated: Maybe<number>;
}

export interface SymptomsGroup extends GroupBase {
  with_baseline?: Maybe<number>;
  paired?: Maybe<number>;
  completeness?: Maybe<number>;
  baseline_mean?: Maybe<number>;
  followup_mean?: Maybe<number>;
  change_mean?: Maybe<number>;
  change_ci?: Interval;
  cohens_d?: Maybe<number>;
  rc_threshold?: Maybe<number>;
  clinical_cutoff?: Maybe<number>;
  classes?: JtClasses;
  response_rate?: Maybe<number>;
  response_ci?: Interval;
  remission_rate?: Maybe<number>;
  remission_ci?: Interval;
  trajectory?: TrajectoryPoint[];
  scatter?: ScatterCell[];
}

export interface AbstinenceWeek {
  week: number;
  tests: Maybe<number>;
  negative: Maybe<number>;
  abstinence_rate: Maybe<number>;
  lower: Maybe<number>;
  upper: Maybe<number>;
}

export interface RelapseGroup extends GroupBase, KmFields {
  tests?: Maybe<number>;
  negative?: Maybe<number>;
  abstinence_rate?: Maybe<number>;
  abstinence_ci?: Interval;
  eot_abstinence_rate?: Maybe<number>;
  eot_abstinence_ci?: Interval;
  with_negative?: Maybe<number>;
  relapsed?: Maybe<number>;
  relapse_rate?: Maybe<number>;
  relapse_ci?: Interval;
  by_week?: AbstinenceWeek[];
}

export type RetentionResponse = MetricResponse<RetentionGroup, 'retention'> & { log_rank?: LogRank | null };
export type CompletionResponse = MetricResponse<CompletionGroup, 'completion'>;
export type AttendanceResponse = MetricResponse<AttendanceGroup, 'attendance'>;
export type SymptomsResponse = MetricResponse<SymptomsGroup, 'symptoms'>;
export type RelapseResponse = MetricResponse<RelapseGroup, 'relapse'> & { log_rank?: LogRank | null };

export interface MetricResponses {
  retention: RetentionResponse;
  completion: CompletionResponse;
  attendance: AttendanceResponse;
  symptoms: SymptomsResponse;
  relapse: RelapseResponse;
}

export interface Track {
  track_code: string;
  name: string;
  level_of_care?: string | null;
  active?: boolean;
}

export interface Instrument {
  code: string;
  name: string;
  min_score: number;
  max_score: number;
  higher_is_better?: boolean;
  clinical_cutoff?: number | null;
  reliable_change_points?: number | null;
  remission_below?: number | null;
}

export type Role = 'admin' | 'analyst' | 'viewer';

export interface Me {
  username: string;
  role: Role;
  tracks: string[] | null;
}

export interface ApiErrorBody {
  error: string;
  details?: unknown;
}
