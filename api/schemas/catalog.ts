import { z } from 'zod';

/** The catalog responses (`/api/v1/tracks`, `/sites`, `/clinicians`, `/instruments`); the dashboard reads their `z.infer` types. */
export const TrackSchema = z.strictObject({
  track_code: z.string(),
  name: z.string(),
  level_of_care: z.string().nullable(),
  active: z.boolean(),
  planned_weeks: z.number().int().nullable().describe('the planned length of the track in weeks (1–52), when known'),
}).meta({ id: 'Track' });
export type Track = z.infer<typeof TrackSchema>;

export const SiteSchema = z.strictObject({
  site_code: z.string(),
  name: z.string(),
  organization: z.string().nullable(),
  state: z.string().nullable(),
}).meta({ id: 'Site' });
export type Site = z.infer<typeof SiteSchema>;

export const ClinicianSchema = z.strictObject({
  clinician_id: z.string(),
  name: z.string(),
  discipline: z.string().nullable(),
  site_code: z.string().nullable(),
  active: z.boolean(),
}).meta({ id: 'Clinician' });
export type Clinician = z.infer<typeof ClinicianSchema>;

export const InstrumentSchema = z.strictObject({
  code: z.string(), name: z.string(), loinc: z.string().nullable(),
  min_score: z.number(), max_score: z.number(), higher_is_better: z.boolean(),
  reliable_change_points: z.number().nullable(), reliability: z.number().nullable(), norm_sd: z.number().nullable(),
  clinical_cutoff: z.number().nullable(), remission_below: z.number().nullable(),
}).meta({ id: 'Instrument' });
export type Instrument = z.infer<typeof InstrumentSchema>;
