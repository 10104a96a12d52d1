import { ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, INITIATION_DAYS, LAST_WEEK } from '../../warehouse/rules';
import { suppressionRule } from '../response';

/** The `definition` block of an attendance response (docs/metrics.md "Attendance and engagement"). */
export function attendanceDefinition(minCell: number): Record<string, unknown> {
  return {
    sessions: 'sessions dated within the episode (admission to discharge, or as_of)',
    attendance_rate: 'attended / (attended + no_show); cancelled and excused sessions are excluded',
    sessions_per_week: 'mean over episodes of attended sessions / (days in program / 7), days in program = end - admission + 1',
    initiation: { source: 'HEDIS IET (adapted)', rule: 'an attended session on days 0 to initiation_days of the episode', initiation_days: INITIATION_DAYS },
    engagement: {
      source: 'HEDIS IET (adapted)',
      rule: 'initiation plus >= engagement_sessions more attended sessions from the day after the initiation session through engagement_days after it',
      engagement_sessions: ENGAGEMENT_SESSIONS,
      engagement_days: ENGAGEMENT_DAYS,
    },
    denominator: 'initiation and engagement rates: all episodes of the group admitted by as_of',
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    by_week: { week: 'floor((session_date - admitted_on) / 7)', weeks: [0, LAST_WEEK] },
    suppression: suppressionRule(minCell),
  };
}
