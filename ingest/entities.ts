import { z } from 'zod';
import { bool, code, date, decimal, integer, oneOf, optional, required, text, type FieldContext } from './fields';

/**
 * The seven canonical CSV entities of DESIGN.md §4: their columns, natural keys,
 * target tables and zod row schemas. Context rules that need the warehouse (known
 * tracks, instrument ranges, references) live in `references.ts`.
 */
export const ENTITY_NAMES = ['tracks', 'instruments', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export const DISCHARGE_REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'incarcerated', 'died', 'other'] as const;
export const MAX_ITEMS = 40;

export interface EntitySpec {
  name: EntityName;
  table: string;
  /** Canonical columns, in staging/COPY order (item columns of assessments are handled apart). */
  columns: readonly string[];
  required: readonly string[];
  key: readonly string[];
  schema(fc: FieldContext): z.ZodType<Record<string, unknown>>;
}

const reasonRule = (row: { discharged_on: string | null; discharge_reason: string | null; admitted_on: string }, ctx: z.RefinementCtx) => {
  if (row.discharged_on && !row.discharge_reason) {
    ctx.addIssue({ code: 'custom', path: ['discharge_reason'], message: `is required when discharged_on is set (one of ${DISCHARGE_REASONS.join(', ')})` });
  }
  if (!row.discharged_on && row.discharge_reason) {
    ctx.addIssue({ code: 'custom', path: ['discharge_reason'], message: 'must be empty while discharged_on is empty' });
  }
  if (row.discharged_on && row.discharged_on < row.admitted_on) {
    ctx.addIssue({ code: 'custom', path: ['discharged_on'], message: `must be on or after admitted_on (${row.admitted_on})` });
  }
};

export const ENTITIES: Record<EntityName, EntitySpec> = {
  tracks: {
    name: 'tracks',
    table: 'tracks',
    columns: ['track_code', 'name', 'level_of_care', 'active'],
    required: ['track_code', 'name'],
    key: ['track_code'],
    schema: () =>
      z.object({
        track_code: required(code('track code'), 'a track code'),
        name: required(text(), 'the track name'),
        level_of_care: optional(oneOf(['iop', 'php', 'op'] as const)),
        active: optional(bool()).transform((v) => v ?? true),
      }),
  },
  instruments: {
    name: 'instruments',
    table: 'instruments',
    columns: ['code', 'name', 'loinc', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability',
      'norm_sd', 'clinical_cutoff', 'remission_below', 'item_count', 'item_min', 'item_max'],
    required: ['code', 'name', 'min_score', 'max_score', 'higher_is_better'],
    key: ['code'],
    schema: () =>
      z.object({
        code: required(code('instrument code'), 'an instrument code'),
        name: required(text(), 'the instrument name'),
        loinc: optional(z.string().regex(/^\d{1,7}-\d$/, 'must be a LOINC code like 44261-6')),
        min_score: required(decimal(), 'a number'),
        max_score: required(decimal(), 'a number'),
        higher_is_better: required(bool(), 'true or false'),
        reliable_change_points: optional(decimal().refine((n) => n > 0, 'must be greater than 0')),
        reliability: optional(decimal().refine((n) => n > 0 && n < 1, 'must be between 0 and 1 (exclusive)')),
        norm_sd: optional(decimal().refine((n) => n > 0, 'must be greater than 0')),
        clinical_cutoff: optional(decimal()),
        remission_below: optional(decimal()),
        item_count: optional(integer(1, MAX_ITEMS)),
        item_min: optional(decimal()),
        item_max: optional(decimal()),
      }).superRefine((r, ctx) => {
        if (r.min_score > r.max_score) ctx.addIssue({ code: 'custom', path: ['max_score'], message: `must be ≥ min_score (${r.min_score})` });
        for (const k of ['clinical_cutoff', 'remission_below'] as const) {
          const v = r[k];
          if (v !== null && (v < r.min_score || v > r.max_score)) {
            ctx.addIssue({ code: 'custom', path: [k], message: `must lie within ${r.min_score}–${r.max_score}` });
          }
        }
        const itemsSet = [r.item_count, r.item_min, r.item_max].filter((v) => v !== null).length;
        if (itemsSet !== 0 && itemsSet !== 3) {
          ctx.addIssue({ code: 'custom', path: ['item_count'], message: 'item_count, item_min and item_max go together: set all three or none' });
        } else if (r.item_min !== null && r.item_max !== null && r.item_min > r.item_max) {
          ctx.addIssue({ code: 'custom', path: ['item_max'], message: `must be ≥ item_min (${r.item_min})` });
        }
      }),
  },
  patients: {
    name: 'patients',
    table: 'patients',
    columns: ['patient_id', 'birth_year', 'sex', 'race', 'ethnicity'],
    required: ['patient_id'],
    key: ['patient_id'],
    schema: (fc) =>
      z.object({
        patient_id: required(code('patient id'), 'a patient id'),
        birth_year: optional(integer(1900, Number(fc.today.slice(0, 4)))),
        sex: optional(oneOf(['female', 'male', 'other', 'unknown'] as const)),
        race: optional(text(100)),
        ethnicity: optional(text(100)),
      }),
  },
  episodes: {
    name: 'episodes',
    table: 'episodes',
    columns: ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'primary_substance'],
    required: ['episode_id', 'patient_id', 'track_code', 'admitted_on'],
    key: ['episode_id'],
    schema: (fc) =>
      z.object({
        episode_id: required(code('episode id'), 'an episode id'),
        patient_id: required(code('patient id'), 'a patient id'),
        track_code: required(code('track code'), 'a track code'),
        admitted_on: required(date(fc), 'the admission date'),
        discharged_on: optional(date(fc)),
        discharge_reason: optional(oneOf(DISCHARGE_REASONS)),
        primary_substance: optional(text(60).transform((s) => s.toLowerCase())),
      }).superRefine(reasonRule),
  },
  attendance: {
    name: 'attendance',
    table: 'attendance',
    columns: ['session_id', 'episode_id', 'session_date', 'status', 'session_type', 'minutes'],
    required: ['session_id', 'episode_id', 'session_date', 'status'],
    key: ['session_id'],
    schema: (fc) =>
      z.object({
        session_id: required(code('session id'), 'a session id'),
        episode_id: required(code('episode id'), 'an episode id'),
        session_date: required(date(fc), 'the session date'),
        status: required(oneOf(['attended', 'no_show', 'cancelled', 'excused'] as const), 'a status'),
        session_type: optional(oneOf(['group', 'individual', 'family', 'medication', 'assessment', 'other'] as const)),
        minutes: optional(integer(0, 1440)),
      }),
  },
  assessments: {
    name: 'assessments',
    table: 'assessments',
    columns: ['patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id'],
    required: ['patient_id', 'instrument', 'administered_on'],
    key: ['patient_id', 'instrument', 'administered_on'],
    schema: (fc) =>
      z.object({
        patient_id: required(code('patient id'), 'a patient id'),
        instrument: required(code('instrument code'), 'an instrument code'),
        administered_on: required(date(fc), 'the administration date'),
        total_score: optional(decimal()),
        episode_id: optional(code('episode id')),
      }),
  },
  abstinence: {
    name: 'abstinence',
    table: 'abstinence_tests',
    columns: ['patient_id', 'collected_on', 'method', 'substance', 'result', 'episode_id', 'prescribed', 'days_used_past_30'],
    required: ['patient_id', 'collected_on', 'method', 'substance', 'result'],
    key: ['patient_id', 'collected_on', 'method', 'substance'],
    schema: (fc) =>
      z.object({
        patient_id: required(code('patient id'), 'a patient id'),
        collected_on: required(date(fc), 'the collection date'),
        method: required(oneOf(['uds', 'breath', 'saliva', 'self_report'] as const), 'a method'),
        substance: required(text(60).transform((s) => s.toLowerCase()), 'a substance'),
        result: required(oneOf(['negative', 'positive', 'refused', 'invalid', 'missed'] as const), 'a result'),
        episode_id: optional(code('episode id')),
        prescribed: optional(bool()).transform((v) => v ?? false),
        days_used_past_30: optional(integer(0, 30)),
      }).superRefine((r, ctx) => {
        if (r.days_used_past_30 !== null && r.method !== 'self_report') {
          ctx.addIssue({ code: 'custom', path: ['days_used_past_30'], message: 'is only allowed with method self_report' });
        }
      }),
  },
};

export function isEntityName(s: string): s is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(s);
}
