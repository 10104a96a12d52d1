import { z } from 'zod';
import { bool, code, optional, required, text } from '../fields';
import { checkOptionalRef } from '../references';
import { defineEntity, stageAsParsed } from './spec';

const columns = ['clinician_id', 'name', 'discipline', 'site_code', 'active'] as const;
const asParsed = stageAsParsed(columns);

/** A clinician (docs/formats.md "Entities"): an episode's primary clinician, a session's facilitator. */
export const clinicians = defineEntity({
  name: 'clinicians',
  table: 'clinicians',
  columns,
  required: ['clinician_id', 'name'],
  key: ['clinician_id'],
  staging: columns,
  keepWhenAbsent: [],
  itemColumns: false,
  references: ['sites'],
  link: null,
  schema: () =>
    z.object({
      clinician_id: required(code('clinician id'), 'a clinician id'),
      name: required(text(), 'the clinician name'),
      discipline: optional(text(60)),
      site_code: optional(code('site code')),
      active: optional(bool()).transform((v) => v ?? true),
    }),
  stage: (row, items, refs, errors) => {
    checkOptionalRef(refs, 'sites', 'site_code', row.site_code, errors);
    return asParsed(row, items, refs, errors);
  },
});
