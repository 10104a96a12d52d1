// The API's response types, as the dashboard reads them. Every one is `z.infer` of the zod
// schemas the API declares (metrics/response-schema.ts, api/schemas/*): the contract is
// written once. Only `export type` here, so no zod and no server module reaches the browser
// bundle (eslint's no-restricted-imports allows the dashboard type imports of server modules only).

import type { KmFields, MetricName, MetricResponse, RetentionGroup, SuppressedGroup } from '../../metrics/response-schema';

export type {
  AttendanceResponse, AttendanceWeek, CompletionResponse, KmFields, MetricName, MetricResponse, RelapseResponse,
  RelapseWeek as AbstinenceWeek, RetentionResponse, ScatterCell, SuppressedGroup, SymptomsResponse, TrajectoryPoint,
  ChangeClasses as JtClasses, KmRowOut as CurvePoint, LogRankOut as LogRank,
} from '../../metrics/response-schema';
export type { GroupBy, Period } from '../../metrics/filters';
export type { SpcImmature, SpcPhaseOut as SpcPhase, SpcPointOut as SpcPoint, SpcResponse, SpcSeriesName } from '../../metrics/spc/schema';
export type { Instrument, Track } from '../../api/schemas/catalog';
export type { ApiErrorBody, Me } from '../../api/schemas/common';
export type { Role } from '../../api/auth/users';
export type {
  AdjustedComparison, CompareModel, ComparisonResponse, ComparisonUnit, EquityComparison, EquityGroupRow,
} from '../../metrics/compare/schema';
export type { CompareOutcome, CompareUnit, EquityGroup } from '../../metrics/compare/request';
export type { MeasureGroup, MeasureResponse, MeasureRow } from '../../metrics/measures/schema';
export type { MeasureName } from '../../metrics/measures/spec';

/** A rate or count that small-cell suppression may have replaced by null. */
export type Maybe<T> = T | null;
/** A confidence interval; the bounds of a median's interval may each be missing. */
export type Interval = NonNullable<KmFields['median_ci']>;

/** What every group, suppressed whole or not, lets a reader see: its key, its size and what is suppressed. */
export type GroupBase = Pick<SuppressedGroup, 'key'> & Partial<Pick<RetentionGroup, 'n' | 'suppressed'>>;

export type MetricResponses = { [M in MetricName]: MetricResponse<M> };
