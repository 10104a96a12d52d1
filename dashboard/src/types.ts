// The API's response types, as the dashboard reads them. Every one is `z.infer` of the zod
// schemas the API declares (metrics/response-schema.ts, api/schemas/*): the contract is
// written once. Only `export type` here, so no zod and no server module reaches the browser
// bundle (eslint's no-restricted-imports allows the dashboard type imports of server modules only).

import type { MetricName, MetricResponse } from '../../metrics/response-schema';

export type {
  AttendanceResponse, AttendanceWeek, CompletionResponse, KmFields, MetricName, MetricResponse, RelapseResponse,
  RelapseWeek as AbstinenceWeek, RetentionResponse, ScatterCell, SuppressedGroup, SymptomsResponse, TrajectoryPoint,
  ChangeClasses as JtClasses, KmRowOut as CurvePoint, LogRankOut as LogRank,
} from '../../metrics/response-schema';
export type { GroupBy, ListFilter, Period } from '../../metrics/filters';
import type { AGE_BAND_KEYS, SEXES } from '../../metrics/filters';
/** The values of the `sex` and `age_band` filters (metrics/filters.ts). */
export type Sex = (typeof SEXES)[number];
export type AgeBand = (typeof AGE_BAND_KEYS)[number];
export type { SpcImmature, SpcPhaseOut as SpcPhase, SpcPointOut as SpcPoint, SpcResponse, SpcSeriesName } from '../../metrics/spc/schema';
export type { Clinician, Instrument, Site, Track } from '../../api/schemas/catalog';
export type { DimensionValues } from '../../metrics/dimension-values';
export type { ApiErrorBody, Me } from '../../api/schemas/common';
export type { Role } from '../../api/auth/users';
export type {
  AdjustedComparison, CompareModel, ComparisonResponse, ComparisonUnit, EquityComparison, EquityGroupRow,
} from '../../metrics/compare/schema';
export type { CompareOutcome, CompareUnit, EquityGroup } from '../../metrics/compare/request';
export type { MeasureGroup, MeasureResponse, MeasureRow } from '../../metrics/measures/schema';
export type { MeasureName } from '../../metrics/measures/spec';
export type {
  InstrumentInfo as ProgressInstrument, ProgressAlert, ProgressAlertsResponse, ProgressBandsResponse, ProgressEpisodeResponse, ProgressFitInfo,
} from '../../metrics/progress/schema';

export type { GroupBase, Interval, Maybe } from '../../charts/types';

export type MetricResponses = { [M in MetricName]: MetricResponse<M> };
