import { z } from 'zod';
import { bool, code, date, integer, oneOf, optional, required, text } from '../fields';
import { checkEpisodeOfPatient, checkPatient } from '../references';
import { defineEntity } from './spec';

/** The file's episode_id is kept as source_episode_id; episode_id is the link (ingest/link.ts). */
const staging = ['patient_id', 'collected_on', 'method', 'substance', 'result', 'source_episode_id', 'prescribed', 'days_used_past_30'] as const;

export const abstinence = defineEntity({
  name: 'abstinence',
  table: 'abstinence_tests',
  columns: ['patient_id', 'collected_on', 'method', 'substance', 'result', 'episode_id', 'prescribed', 'days_used_past_30'],
  required: ['patient_id', 'collected_on', 'method', 'substance', 'result'],
  key: ['patient_id', 'collected_on', 'method', 'substance'],
  staging,
  keepWhenAbsent: [],
  itemColumns: false,
  references: ['patients', 'episodes'],
  link: { date: 'collected_on' },
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
  stage: (row, _items, refs, errors) => {
    const patientId = row.patient_id as string;
    checkPatient(refs, patientId, errors);
    checkEpisodeOfPatient(refs, row.episode_id as string | null, patientId, errors);
    return staging.map((c) => (c === 'source_episode_id' ? row.episode_id : row[c]));
  },
});
