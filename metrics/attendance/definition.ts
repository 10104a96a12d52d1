import { ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, INITIATION_DAYS, LAST_WEEK } from '../../warehouse/rules';
import { AS_OF, intervalWords, suppressionText, weeksWords } from '../definition-text';
import { suppressionRule } from '../response';

/** The rules of an attendance response (docs/metrics.md "Attendance and engagement"), from warehouse/rules.ts. */
function attendanceRules(minCell: number) {
  return {
    sessions: 'sessions dated within the episode (admission to discharge, or as_of)',
    attendance_rate: 'attended / (attended + no_show); cancelled and excused sessions are excluded',
    sessions_per_week: 'mean over episodes of attended sessions / (days in program / 7), days in program = end - admission + 1',
    initiation: {
      source: 'HEDIS IET (adapted)',
      rule: 'an attended session on days 0 to initiation_days counted from the index date (first_contact_on, else admitted_on)',
      index_date: 'first_contact_on, else admitted_on',
      initiation_days: INITIATION_DAYS,
    },
    engagement: {
      source: 'HEDIS IET (adapted)',
      rule: 'initiation plus attended sessions on >= engagement_sessions further distinct days from the day after the initiation session through engagement_days after it',
      engagement_sessions: ENGAGEMENT_SESSIONS,
      engagement_days: ENGAGEMENT_DAYS,
    },
    denominator: 'initiation and engagement rates: all episodes of the group admitted by as_of',
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    by_week: { week: 'floor((session_date - admitted_on) / 7)', weeks: [0, LAST_WEEK] as [number, number] },
    suppression: suppressionRule(minCell),
  };
}

/** The attendance rules in plain sentences, each window read from the rules object. */
export function attendanceText(d: ReturnType<typeof attendanceRules>) {
  const iet = 'HEDIS Initiation and Engagement of Substance Use Disorder Treatment (IET), program adaptation';
  return {
    sessions: `Sessions count when dated within the episode (admission to discharge, or ${AS_OF}).`,
    attendance_rate: 'Attendance rate = attended / (attended + no-show); cancelled and excused sessions are excluded.',
    sessions_per_week: 'Sessions per week: the mean over episodes of attended sessions / (days in program / 7), counting the admission and the last day.',
    initiation: `Initiation (${iet}): an attended session on days 0 to ${d.initiation.initiation_days} counted from the first contact (the admission when no first contact is recorded), the first contact being day 0.`,
    engagement: `Engagement: initiation plus attended sessions on at least ${d.engagement.engagement_sessions} more distinct days from the day after the initiation session through ${d.engagement.engagement_days} days after it.`,
    denominator: `The denominator of both rates is every episode of the group admitted by ${AS_OF}.`,
    ci: `Each rate carries a ${intervalWords(d.ci)}.`,
    by_week: `Weekly series: ${weeksWords(d.by_week.weeks)}.`,
    suppression: suppressionText(d.suppression),
  };
}

/** The `definition` block of an attendance response: the rules, and the same rules as `text`. */
export function attendanceDefinition(minCell: number) {
  const rules = attendanceRules(minCell);
  return { ...rules, text: attendanceText(rules) };
}

export type AttendanceTextPart = keyof ReturnType<typeof attendanceText>;
