/**
 * The windows and thresholds of the access, engagement and measurement-based-care
 * measures (docs/measures.md), each written once: the measure SQL, the definition blocks
 * and the docs test read them. IET shares its windows with the attendance metric, so those
 * stay in warehouse/rules.ts (INITIATION_DAYS, ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS).
 */

/** NIATx continuation: an episode continues when it reaches this attended session. */
export const CONTINUATION_SESSION = 4;

/** CCBHC I-SERV routine needs: the first clinical service within this many business days of first contact. */
export const ISERV_BUSINESS_DAYS = 10;

/** Measurement-based care (TJC CTS.03.01.09): an episode-week is this many days since admission, week k = days [7k, 7k + 6]. */
export const MBC_WEEK_DAYS = 7;
/** …and an episode counts as measured when scored in at least this share of its episode-weeks. */
export const MBC_MEASURED_SHARE = 0.8;

/** NIATx, I-SERV: the substance values that mean "no substance" for the IET initial population. */
export const NO_SUBSTANCE = ['', 'none'] as const;
