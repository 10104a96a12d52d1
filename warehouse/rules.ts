/**
 * The outcome rules of docs/metrics.md, each written once. The model build
 * (warehouse/models/*), the fact-path and model-path queries (metrics/<family>/*), the
 * definition blocks every response carries, and the docs test all read these constants,
 * so moving a window is a one-line change here. The per-episode SQL written with them
 * is in warehouse/models/per-episode.ts.
 *
 * This module imports nothing: it sits below both the warehouse models and the metrics
 * (docs/architecture.md "Where rules live").
 */

/** Every discharge reason the `episodes` check constraint allows, so a reason with no discharges shows as 0. */
export const DISCHARGE_REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'incarcerated', 'died', 'other'] as const;
/** TEDS-D: a positive discharge is a completion or a transfer to further treatment. */
export const POSITIVE_REASONS = ['completed', 'transferred'] as const;
/** docs/metrics.md "Retention": the discharge reasons that count as dropout. */
export const DROPOUT_REASONS = ['dropped_out', 'against_advice', 'terminated'] as const;
/** docs/metrics.md "Retention": an open episode with no attended session for this long is lost to follow-up. */
export const LOST_TO_FOLLOW_UP_DAYS = 30;
/** docs/metrics.md "Retention time points": the days the survival estimate is always published at. */
export const RETENTION_DAYS = ['30', '60'] as const;
/**
 * docs/metrics.md "Retention time points": a later day, published only when some published
 * group's curve reaches it (IOP episodes mostly end before it, and a column no curve reaches
 * would be empty in every row).
 */
export const RETENTION_LATE_DAY = '90';
/** docs/metrics.md "Retention time points": `tracks.planned_weeks` is in weeks, the planned time point in days. */
export const DAYS_PER_WEEK = 7;

/**
 * HEDIS IET, as docs/metrics.md adapts it: initiation is an attended session within 13 days
 * after the index date (the first contact, else the admission), the index day included:
 * days 0 to INITIATION_DAYS. (Round 1 counted days 0–14 from the admission.)
 */
export const INITIATION_DAYS = 13;
/** HEDIS IET: engagement is attended sessions on this many further distinct days… */
export const ENGAGEMENT_SESSIONS = 2;
/** …from the day after the initiation session through this many days after it. */
export const ENGAGEMENT_DAYS = 34;

/** docs/metrics.md "End-of-treatment abstinence": the last 28 days of the episode (discharge − 27 … discharge). */
export const END_OF_TREATMENT_DAYS = 28;

/**
 * docs/metrics.md "Symptom change": the baseline is the first score on days −14 … +7 of
 * the episode; the self-reported intake of "Relapse and abstinence" is the first report in
 * the same window.
 */
export const BASELINE_FROM = -14;
export const BASELINE_TO = 7;
/** The follow-up is the last score at least this many days after the baseline… */
export const FOLLOWUP_MIN_GAP = 14;
/** …up to this many days after discharge (open-ended while the episode is open). */
export const FOLLOWUP_AFTER_DISCHARGE = 14;
/** docs/metrics.md "Response": a follow-up at most this share of the baseline. */
export const RESPONSE_FRACTION = 0.5;

/**
 * docs/metrics.md "Common to all metrics": the age bands of `group_by=age_band`, in order,
 * by age at admission (admission year − birth year), each up to its last age.
 */
export const AGE_BANDS = [
  { band: '<18', upTo: 17 }, { band: '18-25', upTo: 25 }, { band: '26-34', upTo: 34 }, { band: '35-44', upTo: 44 },
  { band: '45-54', upTo: 54 }, { band: '55-64', upTo: 64 }, { band: '65+', upTo: null },
] as const;

/** Weekly series (attendance, tests, symptom trajectory): weeks 0–16 since admission, week = floor(day / 7). */
export const LAST_WEEK = 16;
/** The last day of the last week: a row after it has no week. */
export const LAST_WEEK_DAY = LAST_WEEK * 7 + 6;

/**
 * docs/metrics.md "SPC charts: Maturity": the planned length of treatment when no episode
 * or track of a request records one (`planned_weeks`); episode-long SPC series wait the
 * planned length, plus the grace below, after an admission period ends before it enters a chart.
 */
export const PLANNED_WEEKS_DEFAULT = 12;
/** docs/metrics.md "SPC charts: Maturity": days after the planned length by which an episode has had time to end. */
export const MATURITY_GRACE_DAYS = 30;

/**
 * docs/metrics.md "SPC charts: Targets": the default target lines, as shares, from SAMHSA TEDS-D 2004
 * discharges from intensive outpatient treatment (N = 114,440; completed 37.7%,
 * transferred 17.9%, so 55.5% positive; tests/reference/published/teds_2004_iop_discharges.csv).
 * IOP_SPC_TARGETS overrides them (warehouse/config.ts).
 */
export const SPC_TARGET_DEFAULTS: Readonly<Record<string, number>> = { completion: 0.377, 'positive-discharge': 0.555 };

/**
 * docs/metrics.md "Symptom change": the severity bands of the binned baseline × follow-up counts
 * (`scatter_bins`): bands of SEVERITY_BAND_POINTS points from the instrument's minimum, which are the
 * published PHQ-9 (Kroenke, Spitzer & Williams 2001: 0–4, 5–9, 10–14, 15–19, 20–27) and GAD-7
 * (Spitzer et al. 2006: 0–4, 5–9, 10–14, 15–21) severity bands; an instrument with a wider range gets
 * wider bands (a multiple of SEVERITY_BAND_POINTS) so there are at most SEVERITY_MAX_BANDS, and a last
 * band narrower than the others joins the one before it.
 */
export const SEVERITY_BAND_POINTS = 5;
export const SEVERITY_MAX_BANDS = 6;

/**
 * docs/progress.md "Stored fits": `iop refresh` refits the expected-recovery model of an
 * instrument only when at least this many episodes have a score of it (fewer give
 * unstable random-effect variances and so unreliable bands).
 */
export const PROGRESS_REFIT_MIN_EPISODES = 30;
