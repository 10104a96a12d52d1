import { z } from 'zod';
import { bool, code, decimal, integer, optional, required, text } from '../fields';
import { defineEntity, lookupTable } from './spec';

/** The most item columns (`item_1 … item_40`) an assessment may carry. */
export const MAX_ITEMS = 40;

const columns = ['code', 'name', 'loinc', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability',
  'norm_sd', 'clinical_cutoff', 'remission_below', 'item_count', 'item_min', 'item_max'] as const;

export const instruments = defineEntity({
  name: 'instruments',
  table: 'instruments',
  required: ['code', 'name', 'min_score', 'max_score', 'higher_is_better'],
  key: ['code'],
  ...lookupTable(columns),
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
});
