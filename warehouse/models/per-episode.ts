import { sql, type RawBuilder } from 'kysely';
import {
  BASELINE_FROM, BASELINE_TO, DROPOUT_REASONS, END_OF_TREATMENT_DAYS, ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, FOLLOWUP_AFTER_DISCHARGE,
  FOLLOWUP_MIN_GAP, INITIATION_DAYS, LAST_WEEK_DAY, LOST_TO_FOLLOW_UP_DAYS,
} from '../rules';

/**
 * The per-episode SQL of docs/metrics.md, written once over the rule constants of
 * warehouse/rules.ts: the model build (episode-outcomes.ts, instrument-outcomes.ts)
 * and the fact-path queries (metrics/<family>/facts.ts) call the same builder with
 * their own columns, so the two paths cannot apply different windows. `day` arguments
 * are days since admission; date arguments are dates.
 */
type Sql = RawBuilder<unknown>;
const lit = (n: number): Sql => sql.lit(n);

/**
 * A test that counts as positive (docs/metrics.md "Relapse and abstinence"): positive
 * and not prescribed, or refused/missed when `missingAsPositive` (the model holds the
 * default, true). `t` is the alias of an `abstinence_tests` row.
 */
export function positiveTest(t: string, missingAsPositive: Sql = sql`true`): Sql {
  const col = (c: string) => sql.ref(`${t}.${c}`);
  return sql`((${col('result')} = 'positive' and not ${col('prescribed')}) or (${missingAsPositive} and ${col('result')} in ('refused', 'missed')))`;
}

/** A counted test: a negative, or a positive under `positiveTest`; invalid tests and the others are dropped. */
export function countedTest(t: string, missingAsPositive: Sql = sql`true`): Sql {
  return sql`(${sql.ref(`${t}.result`)} = 'negative' or ${positiveTest(t, missingAsPositive)})`;
}

/** A self-report that carries days used in the past 30. */
export function selfReportTest(t: string): Sql {
  return sql`(${sql.ref(`${t}.method`)} = 'self_report' and ${sql.ref(`${t}.days_used_past_30`)} is not null)`;
}

/** The IET index date (docs/metrics.md "Attendance and engagement"): the first contact when recorded, else the admission. */
export function ietIndexDate(firstContactOn: Sql, admittedOn: Sql): Sql {
  return sql`coalesce(${firstContactOn}, ${admittedOn})`;
}

/** The IET day of a session: days since the index date (`ietIndexDate`), the index day being day 0. */
export function ietDay(on: Sql, firstContactOn: Sql, admittedOn: Sql): Sql {
  return sql`(${on} - ${ietIndexDate(firstContactOn, admittedOn)})`;
}

/** HEDIS IET initiation: a session on IET days (`ietDay`) 0 to INITIATION_DAYS. */
export function inInitiationWindow(ietDayOf: Sql): Sql {
  return sql`(${ietDayOf} between 0 and ${lit(INITIATION_DAYS)})`;
}

/**
 * HEDIS IET engagement: a session from the day after the initiation session through
 * ENGAGEMENT_DAYS after it (dates, or days counted from one origin).
 */
export function inEngagementWindow(on: Sql, initiatedOn: Sql): Sql {
  return sql`(${on} > ${initiatedOn} and ${on} <= ${initiatedOn} + ${lit(ENGAGEMENT_DAYS)})`;
}

/** Engaged: attended sessions on at least ENGAGEMENT_SESSIONS distinct days of the engagement window (a count of distinct days). */
export function isEngaged(distinctDaysInWindow: Sql): Sql {
  return sql`(${distinctDaysInWindow} >= ${lit(ENGAGEMENT_SESSIONS)})`;
}

/** The last IET day of the engagement window an initiation on the last initiation day allows. */
export const LAST_ENGAGEMENT_DAY = INITIATION_DAYS + ENGAGEMENT_DAYS;

/** End-of-treatment window: the last END_OF_TREATMENT_DAYS days of a discharged episode (discharge − 27 … discharge). */
export function inEndOfTreatment(on: Sql, dischargedOn: Sql): Sql {
  return sql`(${on} > ${dischargedOn} - ${lit(END_OF_TREATMENT_DAYS)})`;
}

/** The baseline window of a score (and the self-reported intake): days BASELINE_FROM … BASELINE_TO. */
export function inBaselineWindow(day: Sql): Sql {
  return sql`(${day} between ${lit(BASELINE_FROM)} and ${lit(BASELINE_TO)})`;
}

/**
 * On or after the first day of the baseline window (self-reports are read from there).
 * On dates, so that a join may range over the facts' (episode_id, date) index.
 */
export function fromBaselineStart(on: Sql, admittedOn: Sql): Sql {
  return sql`(${on} >= ${admittedOn} + (${lit(BASELINE_FROM)}))`;
}

/** On or before the last day of the baseline window (the self-reported intake). */
export function toBaselineEnd(on: Sql, admittedOn: Sql): Sql {
  return sql`(${on} <= ${admittedOn} + ${lit(BASELINE_TO)})`;
}

/** A follow-up is at least FOLLOWUP_MIN_GAP days after the baseline (days, or dates). */
export function isFollowupAfter(on: Sql, baselineOn: Sql): Sql {
  return sql`(${on} >= ${baselineOn} + ${lit(FOLLOWUP_MIN_GAP)})`;
}

/** A follow-up is dated up to FOLLOWUP_AFTER_DISCHARGE days after discharge, open-ended while the episode is open. */
export function inFollowupRange(on: Sql, dischargedOn: Sql): Sql {
  return sql`(${dischargedOn} is null or ${on} <= ${dischargedOn} + ${lit(FOLLOWUP_AFTER_DISCHARGE)})`;
}

/** A day of the weekly series, weeks 0 to LAST_WEEK. */
export function inWeeklySeries(day: Sql): Sql {
  return sql`(${day} between 0 and ${lit(LAST_WEEK_DAY)})`;
}

/** The week of a day since admission: floor(day / 7) for the days of the series. */
export function weekOf(day: Sql): Sql {
  return sql`(${day}) / 7`;
}

/** The last contact of an open episode: its last attended session, or its admission if none (no-shows are no contact). */
export function lastSeenOn(lastAttendedOn: Sql, admittedOn: Sql): Sql {
  return sql`greatest(${lastAttendedOn}, ${admittedOn})`;
}

/** An open episode whose last attended session (or admission) `seenOn` is over LOST_TO_FOLLOW_UP_DAYS before `asOf`. */
export function isLostToFollowUp(asOf: Sql, seenOn: Sql): Sql {
  return sql`(${asOf} - ${seenOn} > ${lit(LOST_TO_FOLLOW_UP_DAYS)})`;
}

/** A discharge reason that counts as dropout. */
export function isDropout(reason: Sql): Sql {
  return sql`${reason} = any(${[...DROPOUT_REASONS]}::text[])`;
}

/**
 * Attended sessions per week in program, `attended · 7 / days`, in numeric: exact in any
 * order when summed, where a float sum is not (parallel aggregation adds in no fixed
 * order), so the rollups, the model and the facts give the same bits.
 */
export function perWeekRate(attended: Sql, days: Sql): Sql {
  return sql`((${attended}) * 7.0 / (${days}))`;
}

/**
 * An episode's mean score in one week, in ten-thousandths of a point: an integer, so sums
 * over episodes (and of squares, for any score below 300,000) are exact in any order.
 * The model build and the fact path use it, so both give the same bits.
 */
export function weeklyMeanX10k(score: Sql, where: Sql = sql`true`): Sql {
  return sql`round(avg(${score}::numeric) filter (where ${where}) * 10000)::bigint`;
}
