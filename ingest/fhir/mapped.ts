import type { DischargeReason } from './terminology';

/** The entities a FHIR load writes, in the order their batches are ingested (references first). */
export const FHIR_ENTITIES = ['sites', 'clinicians', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence', 'followups'] as const;
export type FhirEntity = (typeof FHIR_ENTITIES)[number];

/**
 * Canonical columns written per entity (docs/formats.md), plus `fhir_resource` (`Type/id`):
 * the loader ignores it but keeps it in `rejected_rows.raw`, so a rejected row names the
 * resource it came from. Assessments add item_1 … item_9 after it when items were
 * scored (only then: item columns cost the loader time on every row).
 */
export const SOURCE_COLUMN = 'fhir_resource';
export const MAX_FHIR_ITEMS = 9;
export const ITEM_COLUMNS = Array.from({ length: MAX_FHIR_ITEMS }, (_, i) => `item_${i + 1}`);
export const FHIR_COLUMNS: Readonly<Record<FhirEntity, readonly string[]>> = {
  sites: ['site_code', 'name', 'organization', 'state', SOURCE_COLUMN],
  clinicians: ['clinician_id', 'name', 'discipline', 'site_code', 'active', SOURCE_COLUMN],
  patients: ['patient_id', 'birth_year', 'sex', 'race', 'ethnicity', SOURCE_COLUMN],
  // As spooled; the file the loader reads adds first_contact_on and diagnoses (episode-extras.ts).
  episodes: ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'site_code', 'clinician_id', SOURCE_COLUMN],
  attendance: ['session_id', 'episode_id', 'session_date', 'status', 'session_type', 'minutes', 'clinician_id', SOURCE_COLUMN],
  assessments: ['patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id', SOURCE_COLUMN],
  abstinence: ['patient_id', 'collected_on', 'method', 'substance', 'result', SOURCE_COLUMN],
  // QuestionnaireResponses of the configured interview Questionnaires (map-followup.ts).
  followups: [
    'patient_id', 'interview_type', 'interviewed_on', 'status', 'episode_id',
    'days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected', SOURCE_COLUMN,
  ],
};

export type Cell = string | number | null | undefined;

/** An item answer waiting for scoring: a number, or answer codes to look up as ordinal values. */
export type Answer = { value: number } | { codes: string[] };

/** What one resource maps to. */
export type Mapped =
  | { kind: 'row'; entity: FhirEntity; cells: Cell[] }
  | { kind: 'item'; patient: string; instrument: string; date: string; n: number; answer: Answer }
  | { kind: 'reject'; reason: string }
  | { kind: 'ignore'; reason: string };

export interface MapOptions {
  /** Disposition (or EpisodeOfCare status) code → discharge_reason; extends DEFAULT_DISCHARGE_MAP. */
  dischargeMap: Readonly<Record<string, DischargeReason>>;
  /** Encounter/EpisodeOfCare type or serviceType code → track_code: what makes a resource an IOP episode. */
  episodeCodes: Readonly<Record<string, string>>;
  /** Total-score LOINC → instrument code, from the instruments table. */
  instrumentsByLoinc: ReadonlyMap<string, string>;
}

export const reject = (reason: string): Mapped => ({ kind: 'reject', reason });
export const ignore = (reason: string): Mapped => ({ kind: 'ignore', reason });
