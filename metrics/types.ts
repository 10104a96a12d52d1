import type { SuppressedGroup } from './response-schema';

/**
 * The metric response types. They are `z.infer` of the schemas in ./response-schema.ts,
 * the one definition of the contract; this module only re-exports them for the metrics
 * code and adds the guard that tells a wholly suppressed group from a full one.
 */
export { METRIC_NAMES } from './metric-names';
export type {
  AttendanceGroup, AttendanceResponse, AttendanceWeek, ChangeClasses, CompletionGroup, CompletionResponse, EchoedFilters,
  GroupKey, GroupOf, Interval, KmFields, LogRankOut, MetricName, MetricResponse, RelapseGroup, RelapseResponse, RelapseWeek,
  RetentionGroup, RetentionResponse, ScatterBin, ScatterCell, SelfReport, SuppressedGroup, SurvivalPoint, SymptomsGroup, SymptomsResponse,
  TrajectoryPoint,
} from './response-schema';

export function isSuppressedGroup(g: object): g is SuppressedGroup {
  return 'suppressed' in g && Array.isArray(g.suppressed) && g.suppressed.length === 1 && g.suppressed[0] === 'all' && !('n' in g);
}
