import { z } from 'zod';
import { code, integer, oneOf, optional, required, text } from '../fields';
import { defineEntity, stageAsParsed } from './spec';

const columns = ['patient_id', 'birth_year', 'sex', 'race', 'ethnicity'] as const;

export const patients = defineEntity({
  name: 'patients',
  table: 'patients',
  columns,
  required: ['patient_id'],
  key: ['patient_id'],
  staging: columns,
  keepWhenAbsent: [],
  itemColumns: false,
  references: [],
  link: null,
  schema: (fc) =>
    z.object({
      patient_id: required(code('patient id'), 'a patient id'),
      birth_year: optional(integer(1900, Number(fc.today.slice(0, 4)))),
      sex: optional(oneOf(['female', 'male', 'other', 'unknown'] as const)),
      // stored as given, lower-cased (docs/formats.md): one group per race, whatever the source's case
      race: optional(text(100).transform((s) => s.toLowerCase())),
      ethnicity: optional(text(100).transform((s) => s.toLowerCase())),
    }),
  stage: stageAsParsed(columns),
});
