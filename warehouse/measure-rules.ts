/**
 * The rules of the standard measures (docs/measures.md), each written once: the measures'
 * SQL (metrics/measures/*), their definition blocks and sentences, and
 * tests/measures/docs.test.ts read these constants. Kept apart from warehouse/rules.ts, the
 * metrics' rules (whose every constant a metric definition block publishes). Imports nothing.
 */
/**
 * docs/measures.md "Depression remission and response" (CCBHC DEP-REM-6, CMS159 / MIPS #370,
 * NQF 1884, adapted): the instrument, the index threshold (index score above 9), the
 * minimum age at the index date, and the remission threshold (an outcome below 5).
 */
export const DEPRESSION_INSTRUMENT = 'PHQ-9';
export const DEPRESSION_INDEX_ABOVE = 9;
export const DEPRESSION_MIN_AGE = 12;
export const DEPRESSION_REMISSION_BELOW = 5;
/** The age strata every depression measure reports (CCBHC: 12–17 and 18 and over), by age at the index date. */
export const DEPRESSION_AGE_STRATA = [
  { band: '12-17', from: 12, upTo: 17 },
  { band: '18+', from: 18, upTo: null },
] as const;
/**
 * The measure windows: addMonths(index date, months) ± days, inclusive at both ends
 * (PostgreSQL `date + interval 'n months'`, so the 31st clamps to the month's end).
 */
export const DEPRESSION_WINDOWS = {
  'dep-rem-6': { months: 6, days: 60 },
  'dep-rem-12': { months: 12, days: 60 },
  'dep-resp-6': { months: 6, days: 30 },
} as const;
/**
 * ICD-10-CM code lists. `X.*` is the category X and every code under it; `A-B` every
 * category from A to B and the codes under them; a plain code is that code and the codes
 * under it. Depression: the initial population needs one of these (unless any diagnosis is allowed).
 */
export const DEPRESSION_DIAGNOSES = ['F32.*', 'F33.*', 'F34.1'] as const;
/** Exclusions: schizophrenia spectrum, mania, bipolar, cyclothymia, borderline personality, pervasive developmental disorders. */
export const DEPRESSION_EXCLUDED_DIAGNOSES = ['F20-F29', 'F30.*', 'F31.*', 'F34.0', 'F60.3', 'F84.*'] as const;
/** The discharge reason that records a death (an exclusion of the outcome measures). */
export const DEATH_DISCHARGE_REASON = 'died';
