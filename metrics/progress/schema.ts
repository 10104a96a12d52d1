import { z } from 'zod';
import { DATE_MAX, DATE_MIN, DEFAULT_INSTRUMENT, isCalendarDate } from '../filters';
import { BANDS } from './bands';
import { TIME_SCALES } from './episode-sums';

/**
 * The requests and responses of `iop progress alerts|episode|bands` and
 * `/api/v1/progress/*` (docs/progress.md): one schema for the CLI and the API, the
 * routes' strict response schemas, and through `z.infer` the types the dashboard imports.
 */

const CODE = /^[A-Za-z0-9][A-Za-z0-9 _.\-/+]*$/;
const code = (what: string) =>
  z.string().trim().min(1, `${what} must not be empty`).max(64, `${what} is longer than 64 characters`)
    .regex(CODE, `${what} may hold letters, digits, space and _ . - / + only`);
const codeList = (what: string) => z.union([code(what), z.array(code(what)).max(100, `at most 100 ${what}s`)])
  .transform((v) => [...new Set(Array.isArray(v) ? v : [v])].sort());
const date = z.string().trim().refine(isCalendarDate, 'must be a real calendar date YYYY-MM-DD')
  .refine((v) => v >= DATE_MIN && v <= DATE_MAX, `must lie between ${DATE_MIN} and ${DATE_MAX}`);

export const ProgressBandsQuerySchema = z.strictObject({
  instrument: code('instrument').default(DEFAULT_INSTRUMENT),
});

export const ProgressAlertsQuerySchema = z.strictObject({
  instrument: code('instrument').default(DEFAULT_INSTRUMENT),
  as_of: date.optional().describe('the day the episodes are open on and scored by (default: today, UTC)'),
  track: codeList('track').optional(),
  clinician: codeList('clinician').optional().describe('primary clinicians (admin and analyst; a clinician user always gets its own caseload)'),
});

export const ProgressEpisodeQuerySchema = z.strictObject({
  instrument: code('instrument').default(DEFAULT_INSTRUMENT),
  as_of: date.optional().describe('the day the alert rules are judged on (default: today, UTC)'),
});

export const ProgressEpisodeParamsSchema = z.strictObject({
  id: code('episode id'),
});

/** Which fit the answer used (docs/progress.md "Stored fits"). */
export const ProgressFitInfoSchema = z.strictObject({
  fit_id: z.number().int(),
  /** `stored`: the latest stored fit; `fitted_on_demand`: none was stored, so it was fitted now and stored. */
  source: z.enum(['stored', 'fitted_on_demand']),
  fitted_at: z.string(),
  data_version: z.string(),
  /** The warehouse's data version now; different from data_version when the fit describes older data. */
  current_data_version: z.string(),
  time: z.enum(TIME_SCALES),
  bands: z.boolean(),
  formula: z.string(),
  n_episodes: z.number().int(),
  n_scores: z.number().int(),
  converged: z.boolean(),
});

export const ExpectedPointSchema = z.strictObject({
  band: z.enum(BANDS).nullable(),
  week: z.number().int(),
  mean: z.number(),
  /** The 80% tolerance limits, clipped to the instrument's score range. */
  lower: z.number(),
  upper: z.number(),
});

const InstrumentInfoSchema = z.strictObject({
  code: z.string(),
  min_score: z.number(),
  max_score: z.number(),
  higher_is_better: z.boolean(),
  /** The reliable-change threshold in points; null when the catalog cannot form one. */
  rc: z.number().nullable(),
});

export const ProgressBandsResponseSchema = z.strictObject({
  instrument: InstrumentInfoSchema,
  fit: ProgressFitInfoSchema,
  tolerance: z.number(),
  /** Bands in the model, mildest first; `episodes` is rounded to base 5 for roles below analyst. */
  bands: z.array(z.strictObject({ band: z.enum(BANDS), episodes: z.number().int() })),
  /** Bands left out for roles below analyst: fewer episodes than the min cell. */
  suppressed_bands: z.array(z.enum(BANDS)),
  expected: z.array(ExpectedPointSchema),
});

export const ALERT_REASONS = ['above_band', 'reliable_worsening'] as const;

export const ProgressAlertSchema = z.strictObject({
  episode_id: z.string(),
  track_code: z.string(),
  clinician_id: z.string().nullable(),
  admitted_on: z.string(),
  baseline: z.number(),
  baseline_on: z.string(),
  band: z.enum(BANDS).nullable(),
  latest: z.number(),
  latest_on: z.string(),
  /** Whole weeks since admission of the latest score (0 before admission). */
  week: z.number().int(),
  /** The band's limits at that week (clipped); null after the last modelled week or without a band in the fit. */
  expected_lower: z.number().nullable(),
  expected_upper: z.number().nullable(),
  /** latest − baseline in the worsening direction (positive = worse). */
  worsening: z.number(),
  reasons: z.array(z.enum(ALERT_REASONS)).min(1),
});

export const ProgressAlertsResponseSchema = z.strictObject({
  instrument: InstrumentInfoSchema,
  fit: ProgressFitInfoSchema,
  as_of: z.string(),
  filters: z.strictObject({ track: z.array(z.string()).nullable(), clinician: z.array(z.string()).nullable() }),
  /** Open episodes as of as_of with a baseline and a later score of the instrument: those judged. */
  open_episodes_judged: z.number().int(),
  /** Open episodes scored only on their baseline day so far: nothing to judge yet. */
  open_episodes_without_followup: z.number().int(),
  /** Open episodes with scores but no baseline (days −14…+7): the rules cannot judge them. */
  open_episodes_without_baseline: z.number().int(),
  alerts: z.array(ProgressAlertSchema),
});

export const ProgressEpisodeResponseSchema = z.strictObject({
  instrument: InstrumentInfoSchema,
  fit: ProgressFitInfoSchema,
  as_of: z.string(),
  episode: z.strictObject({
    episode_id: z.string(),
    track_code: z.string(),
    clinician_id: z.string().nullable(),
    admitted_on: z.string(),
    /** The discharge date if on or before as_of, else null (open). */
    discharged_on: z.string().nullable(),
    baseline: z.number().nullable(),
    baseline_on: z.string().nullable(),
    band: z.enum(BANDS).nullable(),
  }),
  /** The episode's scores of the instrument through as_of, oldest first. */
  scores: z.array(z.strictObject({ administered_on: z.string(), day: z.number().int(), week: z.number().int(), score: z.number() })),
  /** The expected band of the episode's baseline band, week by week (empty without a band in the fit). */
  expected: z.array(ExpectedPointSchema),
  /** The score at which the reliable-worsening rule fires (baseline ± RC); null without baseline or RC. */
  rc_threshold: z.number().nullable(),
  /** The alert as of as_of, when the episode is open, scored after its baseline and not on track; else null. */
  alert: ProgressAlertSchema.nullable(),
});

export type ProgressFitInfo = z.infer<typeof ProgressFitInfoSchema>;
export type ProgressBandsResponse = z.infer<typeof ProgressBandsResponseSchema>;
export type ProgressAlert = z.infer<typeof ProgressAlertSchema>;
export type ProgressAlertsResponse = z.infer<typeof ProgressAlertsResponseSchema>;
export type ProgressEpisodeResponse = z.infer<typeof ProgressEpisodeResponseSchema>;
export type ProgressAlertsQuery = z.output<typeof ProgressAlertsQuerySchema>;
export type ProgressEpisodeQuery = z.output<typeof ProgressEpisodeQuerySchema>;
export type InstrumentInfo = z.infer<typeof InstrumentInfoSchema>;
