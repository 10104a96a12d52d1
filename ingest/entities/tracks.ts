import { z } from 'zod';
import { bool, code, integer, oneOf, optional, required, text } from '../fields';
import { defineEntity, lookupTable } from './spec';

const columns = ['track_code', 'name', 'level_of_care', 'active', 'planned_weeks'] as const;

export const tracks = defineEntity({
  name: 'tracks',
  table: 'tracks',
  required: ['track_code', 'name'],
  key: ['track_code'],
  ...lookupTable(columns, ['planned_weeks']),
  schema: () =>
    z.object({
      track_code: required(code('track code'), 'a track code'),
      name: required(text(), 'the track name'),
      level_of_care: optional(oneOf(['iop', 'php', 'op'] as const)),
      active: optional(bool()).transform((v) => v ?? true),
      planned_weeks: optional(integer(1, 52)),
    }),
});
