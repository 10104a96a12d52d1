/**
 * The rules of follow-up interviews and their measures (docs/funder-reporting.md), each
 * written once: the `followups` entity (ingest/entities/followups.ts), the measures
 * `followup-6m` and `noms` (metrics/measures/), their definition blocks and the docs test
 * read these constants.
 *
 * Like warehouse/rules.ts, this module imports nothing.
 */

/** Interview types of the `followups` entity (the table's check constraint allows the same). */
export const INTERVIEW_TYPES = ['intake', 'followup_6m', 'discharge', 'other'] as const;
export type InterviewType = (typeof INTERVIEW_TYPES)[number];

/** Interview statuses: only a `completed` interview carries answers. */
export const INTERVIEW_STATUSES = ['completed', 'refused', 'not_located', 'deceased'] as const;
export type InterviewStatus = (typeof INTERVIEW_STATUSES)[number];

/** The status of an interview that records the patient's death (an exclusion of the outcome measures). */
export const DECEASED_STATUS: InterviewStatus = 'deceased';

/** The answer columns of an interview (docs/formats.md "Row rules"). */
export const INTERVIEW_ANSWERS = ['days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected'] as const;

/** Days used in the past 30 days: a whole number in this range. */
export const DAYS_USED_MAX = 30;

/**
 * SAMHSA GPRA six-month follow-up: the window is [intake + 5 months, intake + 8 months],
 * both ends included, with PostgreSQL's month arithmetic (the 31st clamps to the month's
 * end: 2025-08-31 + 6 months = 2026-02-28).
 */
export const FOLLOWUP_WINDOW_MONTHS = { from: 5, to: 8 } as const;

/** SAMHSA's follow-up rate target for discretionary grants (at least 80% of intakes re-interviewed). */
export const FOLLOWUP_TARGET_RATE = 0.8;

/** Labels of `followup-6m`, first match wins, in this order (docs/funder-reporting.md "Six-month follow-up"). */
export const FOLLOWUP_LABELS = ['excluded', 'completed', 'window_open', 'refused', 'not_located', 'no_record'] as const;

/**
 * The NOMs domains (docs/funder-reporting.md "NOMs"): each is positive when its answer
 * column equals `positive` (abstinent: no days used in the past 30; no arrests: not
 * arrested in the past 30 days). An empty answer is unknown, never negative.
 */
export const NOMS_DOMAINS = {
  abstinent: { column: 'days_used_past_30', positive: 0 },
  employed_or_in_school: { column: 'employed_or_in_school', positive: true },
  stable_housing: { column: 'stable_housing', positive: true },
  no_arrests: { column: 'arrested_past_30', positive: false },
  socially_connected: { column: 'socially_connected', positive: true },
} as const;
export type NomsDomain = keyof typeof NOMS_DOMAINS;
export const NOMS_DOMAIN_NAMES = Object.keys(NOMS_DOMAINS) as NomsDomain[];
