import { z } from 'zod';
import { code, date, oneOf, optional, required, text } from '../fields';
import { checkPatient, listKnown } from '../references';
import { defineEntity, stageAsParsed } from './spec';

export const DISCHARGE_REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'incarcerated', 'died', 'other'] as const;

const columns = ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'primary_substance'] as const;
const asParsed = stageAsParsed(columns);

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

export const episodes = defineEntity({
  name: 'episodes',
  table: 'episodes',
  columns,
  required: ['episode_id', 'patient_id', 'track_code', 'admitted_on'],
  key: ['episode_id'],
  staging: columns,
  itemColumns: false,
  references: ['tracks', 'patients'],
  link: null,
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
  stage: (row, items, refs, errors) => {
    const patientId = row.patient_id as string;
    const track = row.track_code as string;
    checkPatient(refs, patientId, errors);
    if (!refs.tracks.has(track)) {
      errors.push({ column: 'track_code', value: track, message: `unknown track_code; known tracks: ${listKnown(refs.tracks)}` });
    }
    return asParsed(row, items, refs, errors);
  },
});
