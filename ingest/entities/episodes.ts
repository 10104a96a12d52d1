import { z } from 'zod';
import { code, date, icd10List, integer, oneOf, optional, required, text } from '../fields';
import { checkOptionalRef, checkPatient, listKnown } from '../references';
import { defineEntity, stageAsParsed } from './spec';

export const DISCHARGE_REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'incarcerated', 'died', 'other'] as const;

const columns = [
  'episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'primary_substance',
  'site_code', 'clinician_id', 'first_contact_on', 'evaluated_on', 'planned_weeks', 'diagnoses',
] as const;
const asParsed = stageAsParsed(columns);

interface DatedRow {
  admitted_on: string;
  discharged_on: string | null;
  discharge_reason: string | null;
  first_contact_on: string | null;
  evaluated_on: string | null;
}

const reasonRule = (row: DatedRow, ctx: z.RefinementCtx) => {
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

/** The intake dates come in order: first contact ≤ evaluation ≤ admission (docs/formats.md "Row rules"). */
const intakeRule = (row: DatedRow, ctx: z.RefinementCtx) => {
  if (row.first_contact_on && row.first_contact_on > row.admitted_on) {
    ctx.addIssue({ code: 'custom', path: ['first_contact_on'], message: `must be on or before admitted_on (${row.admitted_on})` });
  }
  if (row.evaluated_on && row.evaluated_on > row.admitted_on) {
    ctx.addIssue({ code: 'custom', path: ['evaluated_on'], message: `must be on or before admitted_on (${row.admitted_on})` });
  }
  if (row.evaluated_on && row.first_contact_on && row.evaluated_on < row.first_contact_on) {
    ctx.addIssue({ code: 'custom', path: ['evaluated_on'], message: `must be on or after first_contact_on (${row.first_contact_on})` });
  }
};

export const episodes = defineEntity({
  name: 'episodes',
  table: 'episodes',
  columns,
  required: ['episode_id', 'patient_id', 'track_code', 'admitted_on'],
  key: ['episode_id'],
  staging: columns,
  keepWhenAbsent: ['site_code', 'clinician_id', 'first_contact_on', 'evaluated_on', 'planned_weeks', 'diagnoses'],
  itemColumns: false,
  references: ['tracks', 'patients', 'sites', 'clinicians'],
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
      site_code: optional(code('site code')),
      clinician_id: optional(code('clinician id')),
      first_contact_on: optional(date(fc)),
      evaluated_on: optional(date(fc)),
      // The episode's own planned length; empty means the track's (docs/formats.md).
      planned_weeks: optional(integer(1, 52)),
      diagnoses: optional(icd10List()),
    }).superRefine(reasonRule).superRefine(intakeRule),
  stage: (row, items, refs, errors) => {
    const patientId = row.patient_id as string;
    const track = row.track_code as string;
    checkPatient(refs, patientId, errors);
    if (!refs.tracks.has(track)) {
      errors.push({ column: 'track_code', value: track, message: `unknown track_code; known tracks: ${listKnown(refs.tracks)}` });
    }
    checkOptionalRef(refs, 'sites', 'site_code', row.site_code, errors);
    checkOptionalRef(refs, 'clinicians', 'clinician_id', row.clinician_id, errors);
    return asParsed(row, items, refs, errors);
  },
});
