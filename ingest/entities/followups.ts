import { z } from 'zod';
import { DAYS_USED_MAX, INTERVIEW_ANSWERS, INTERVIEW_STATUSES, INTERVIEW_TYPES } from '../../warehouse/followup-rules';
import { bool, code, date, integer, oneOf, optional, required } from '../fields';
import { checkEpisodeOfPatient, checkPatient } from '../references';
import { defineEntity } from './spec';

/** The file's episode_id is kept as source_episode_id; episode_id is the link (ingest/link.ts). */
const staging = [
  'patient_id', 'interview_type', 'interviewed_on', 'status', 'source_episode_id',
  'days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected',
] as const;

/**
 * A GPRA/NOMs interview (docs/formats.md "Entities", docs/funder-reporting.md "Loading
 * interviews"): at intake, six months later, at discharge or another time. Rows without
 * an episode_id link to the patient's latest episode admitted on or before the interview
 * (not by the linking window of assessments: a six-month follow-up usually comes long
 * after discharge).
 */
export const followups = defineEntity({
  name: 'followups',
  table: 'followups',
  columns: [
    'patient_id', 'interview_type', 'interviewed_on', 'status', 'episode_id',
    'days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected',
  ],
  required: ['patient_id', 'interview_type', 'interviewed_on', 'status'],
  key: ['patient_id', 'interview_type', 'interviewed_on'],
  staging,
  keepWhenAbsent: [],
  itemColumns: false,
  references: ['patients', 'episodes'],
  link: { date: 'interviewed_on', rule: 'admitted' },
  schema: (fc) =>
    z.object({
      patient_id: required(code('patient id'), 'a patient id'),
      interview_type: required(oneOf(INTERVIEW_TYPES), 'an interview type'),
      interviewed_on: required(date(fc), 'the interview date'),
      status: required(oneOf(INTERVIEW_STATUSES), 'an interview status'),
      episode_id: optional(code('episode id')),
      days_used_past_30: optional(integer(0, DAYS_USED_MAX)),
      employed_or_in_school: optional(bool()),
      stable_housing: optional(bool()),
      arrested_past_30: optional(bool()),
      socially_connected: optional(bool()),
    }).superRefine((r, ctx) => {
      // Only a completed interview has answers: a refusal or a death carries none.
      if (r.status === 'completed') return;
      for (const c of INTERVIEW_ANSWERS) {
        if (r[c] !== null) ctx.addIssue({ code: 'custom', path: [c], message: `must be empty unless status is completed (status is ${r.status})` });
      }
    }),
  stage: (row, _items, refs, errors) => {
    const patientId = row.patient_id as string;
    checkPatient(refs, patientId, errors);
    checkEpisodeOfPatient(refs, row.episode_id as string | null, patientId, errors);
    return staging.map((c) => (c === 'source_episode_id' ? row.episode_id : row[c]));
  },
});
