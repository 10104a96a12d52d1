/**
 * An independent reading of the canonical CSV row rules (docs/formats.md) and the built-in
 * instrument ranges (docs/metrics.md), used to check the generator's output. It is written apart from
 * the ingest schemas on purpose, so that a shared mistake cannot hide.
 */
import type { Row } from './cohort-files';

export const COLUMNS: Record<string, string[]> = {
  tracks: ['track_code', 'name', 'level_of_care', 'active', 'planned_weeks'],
  sites: ['site_code', 'name', 'organization', 'state'],
  clinicians: ['clinician_id', 'name', 'discipline', 'site_code', 'active'],
  patients: ['patient_id', 'birth_year', 'sex', 'race', 'ethnicity'],
  episodes: ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'primary_substance',
    'site_code', 'clinician_id', 'first_contact_on', 'evaluated_on', 'planned_weeks', 'diagnoses'],
  attendance: ['session_id', 'episode_id', 'session_date', 'status', 'session_type', 'minutes', 'clinician_id'],
  assessments: [
    'patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id',
    'item_1', 'item_2', 'item_3', 'item_4', 'item_5', 'item_6', 'item_7', 'item_8', 'item_9',
  ],
  abstinence: ['patient_id', 'collected_on', 'method', 'substance', 'result', 'episode_id', 'prescribed', 'days_used_past_30'],
  followups: ['patient_id', 'interview_type', 'interviewed_on', 'status', 'episode_id',
    'days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected'],
};

/** docs/metrics.md, built-in instruments; PHQ-9 and GAD-7 items are scored 0–3. */
export const INSTRUMENTS: Record<string, { max: number; items: number }> = {
  'PHQ-9': { max: 27, items: 9 },
  'GAD-7': { max: 21, items: 7 },
  'PCL-5': { max: 80, items: 0 },
  'AUDIT-C': { max: 12, items: 0 },
  'DAST-10': { max: 10, items: 0 },
};

const REASONS = new Set(['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'incarcerated', 'died', 'other']);
const STATUSES = new Set(['attended', 'no_show', 'cancelled', 'excused']);
const SESSION_TYPES = new Set(['group', 'individual', 'family', 'medication', 'assessment', 'other']);
const METHODS = new Set(['uds', 'breath', 'saliva', 'self_report']);
const RESULTS = new Set(['negative', 'positive', 'refused', 'invalid', 'missed']);
const SEXES = new Set(['female', 'male', 'other', 'unknown']);

export interface Known {
  asOf: string;
  tracks: ReadonlySet<string>;
  sites: ReadonlySet<string>;
  clinicians: ReadonlySet<string>;
  patients: ReadonlySet<string>;
  episodes: ReadonlySet<string>;
}

function dateError(value: string | undefined, column: string, asOf: string, required: boolean): string[] {
  if (!value) return required ? [`${column} is required`] : [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return [`${column} is not YYYY-MM-DD`];
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) return [`${column} is not a date`];
  if (value < '1900-01-01') return [`${column} before 1900`];
  if (value > asOf) return [`${column} after as-of`];
  return [];
}

const isInt = (v: string): boolean => /^-?\d+$/.test(v);
/** ICD-10-CM, written the way the warehouse stores it: category, then a dot and 1–4 characters. */
const ICD10 = /^[A-Z]\d[A-Z0-9](\.[A-Z0-9]{1,4})?$/;

function checkIntake(r: Row, k: Known): string[] {
  const e = dateError(r.first_contact_on, 'first_contact_on', k.asOf, false).concat(dateError(r.evaluated_on, 'evaluated_on', k.asOf, false));
  if (r.site_code && !k.sites.has(r.site_code)) e.push('unknown site_code');
  if (r.clinician_id && !k.clinicians.has(r.clinician_id)) e.push('unknown clinician_id');
  const admitted = r.admitted_on ?? '';
  if (r.first_contact_on && r.first_contact_on > admitted) e.push('first contact after admission');
  if (r.evaluated_on && r.evaluated_on > admitted) e.push('evaluated after admission');
  if (r.evaluated_on && r.first_contact_on && r.evaluated_on < r.first_contact_on) e.push('evaluated before first contact');
  if (r.planned_weeks && (!isInt(r.planned_weeks) || Number(r.planned_weeks) < 1 || Number(r.planned_weeks) > 52)) e.push('planned_weeks out of 1–52');
  if (r.diagnoses && !r.diagnoses.split(';').every((c) => ICD10.test(c))) e.push('a diagnosis is not ICD-10-CM');
  return e;
}

function checkEpisode(r: Row, k: Known): string[] {
  const e = dateError(r.admitted_on, 'admitted_on', k.asOf, true).concat(dateError(r.discharged_on, 'discharged_on', k.asOf, false));
  if (!k.patients.has(r.patient_id ?? '')) e.push('unknown patient_id');
  if (!k.tracks.has(r.track_code ?? '')) e.push('unknown track_code');
  if (Boolean(r.discharged_on) !== Boolean(r.discharge_reason)) e.push('discharge_reason set iff discharged_on');
  if (r.discharge_reason && !REASONS.has(r.discharge_reason)) e.push('unknown discharge_reason');
  if (r.discharged_on && r.admitted_on && r.discharged_on < r.admitted_on) e.push('discharged before admitted');
  return e.concat(checkIntake(r, k));
}

function checkAttendance(r: Row, k: Known): string[] {
  const e = dateError(r.session_date, 'session_date', k.asOf, true);
  if (!r.session_id) e.push('session_id is required');
  if (!k.episodes.has(r.episode_id ?? '')) e.push('unknown episode_id');
  if (!STATUSES.has(r.status ?? '')) e.push('unknown status');
  if (r.session_type && !SESSION_TYPES.has(r.session_type)) e.push('unknown session_type');
  if (r.minutes && (!isInt(r.minutes) || Number(r.minutes) < 0)) e.push('minutes not a non-negative integer');
  if (r.clinician_id && !k.clinicians.has(r.clinician_id)) e.push('unknown clinician_id');
  return e;
}

function checkAssessment(r: Row, k: Known): string[] {
  const e = dateError(r.administered_on, 'administered_on', k.asOf, true);
  if (!k.patients.has(r.patient_id ?? '')) e.push('unknown patient_id');
  if (r.episode_id && !k.episodes.has(r.episode_id)) e.push('unknown episode_id');
  const instrument = INSTRUMENTS[r.instrument ?? ''];
  if (!instrument) return [...e, 'unknown instrument'];
  const items = Array.from({ length: 9 }, (_, i) => r[`item_${i + 1}`] ?? '');
  const given = items.filter((v) => v !== '');
  if (given.some((v) => !isInt(v) || Number(v) < 0 || Number(v) > 3)) e.push('item out of 0–3');
  if (given.length > 0 && items.slice(0, instrument.items).some((v) => v === '')) e.push('items incomplete');
  if (items.slice(instrument.items).some((v) => v !== '')) e.push('item beyond the instrument');
  const total = r.total_score ?? '';
  if (total === '' && given.length === 0) e.push('neither total nor items');
  if (total !== '' && (!isInt(total) || Number(total) < 0 || Number(total) > instrument.max)) e.push('total out of range');
  const sum = given.reduce((a, v) => a + Number(v), 0);
  if (total !== '' && given.length > 0 && sum !== Number(total)) e.push('total is not the sum of the items');
  return e;
}

function checkAbstinence(r: Row, k: Known): string[] {
  const e = dateError(r.collected_on, 'collected_on', k.asOf, true);
  if (!k.patients.has(r.patient_id ?? '')) e.push('unknown patient_id');
  if (r.episode_id && !k.episodes.has(r.episode_id)) e.push('unknown episode_id');
  if (!METHODS.has(r.method ?? '')) e.push('unknown method');
  if (!RESULTS.has(r.result ?? '')) e.push('unknown result');
  if (!r.substance || r.substance !== r.substance.toLowerCase()) e.push('substance missing or not lower case');
  if (r.prescribed && r.prescribed !== 'true' && r.prescribed !== 'false') e.push('prescribed not true/false');
  const days = r.days_used_past_30 ?? '';
  if (days !== '' && r.method !== 'self_report') e.push('days_used_past_30 outside self_report');
  if (days !== '' && (!isInt(days) || Number(days) < 0 || Number(days) > 30)) e.push('days_used_past_30 out of 0–30');
  return e;
}

const INTERVIEW_TYPES = new Set(['intake', 'followup_6m', 'discharge', 'other']);
const INTERVIEW_STATUSES = new Set(['completed', 'refused', 'not_located', 'deceased']);
const ANSWERS = ['days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected'] as const;

function checkFollowup(r: Row, k: Known): string[] {
  const e = dateError(r.interviewed_on, 'interviewed_on', k.asOf, true);
  if (!k.patients.has(r.patient_id ?? '')) e.push('unknown patient_id');
  if (r.episode_id && !k.episodes.has(r.episode_id)) e.push('unknown episode_id');
  if (!INTERVIEW_TYPES.has(r.interview_type ?? '')) e.push('unknown interview_type');
  if (!INTERVIEW_STATUSES.has(r.status ?? '')) e.push('unknown status');
  const days = r.days_used_past_30 ?? '';
  if (days !== '' && (!isInt(days) || Number(days) < 0 || Number(days) > 30)) e.push('days_used_past_30 out of 0–30');
  for (const c of ANSWERS.slice(1)) if (r[c] && r[c] !== 'true' && r[c] !== 'false') e.push(`${c} not true/false`);
  if (r.status !== 'completed' && ANSWERS.some((c) => r[c])) e.push('answers on an interview that was not completed');
  return e;
}

export function rowErrors(entity: string, r: Row, k: Known): string[] {
  switch (entity) {
    case 'tracks':
      return ['iop', 'php', 'op'].includes(r.level_of_care ?? '') && ['true', 'false', ''].includes(r.active ?? '') && r.name &&
        (!r.planned_weeks || (isInt(r.planned_weeks) && Number(r.planned_weeks) >= 1 && Number(r.planned_weeks) <= 52))
        ? []
        : ['bad track'];
    case 'sites':
      return r.site_code && r.name ? [] : ['bad site'];
    case 'clinicians':
      return r.clinician_id && r.name && ['true', 'false', ''].includes(r.active ?? '') && (!r.site_code || k.sites.has(r.site_code)) ? [] : ['bad clinician'];
    case 'patients': {
      const e = /^P\d{6,}$/.test(r.patient_id ?? '') ? [] : ['bad patient_id'];
      if (!SEXES.has(r.sex ?? '')) e.push('unknown sex');
      if (!isInt(r.birth_year ?? '') || Number(r.birth_year) < 1900 || Number(r.birth_year) > Number(k.asOf.slice(0, 4))) e.push('bad birth_year');
      return e;
    }
    case 'episodes':
      return checkEpisode(r, k);
    case 'attendance':
      return checkAttendance(r, k);
    case 'assessments':
      return checkAssessment(r, k);
    case 'abstinence':
      return checkAbstinence(r, k);
    case 'followups':
      return checkFollowup(r, k);
    default:
      return [`unknown entity ${entity}`];
  }
}

export const NATURAL_KEYS: Record<string, (r: Row) => string> = {
  tracks: (r) => r.track_code ?? '',
  sites: (r) => r.site_code ?? '',
  clinicians: (r) => r.clinician_id ?? '',
  patients: (r) => r.patient_id ?? '',
  episodes: (r) => r.episode_id ?? '',
  attendance: (r) => r.session_id ?? '',
  assessments: (r) => `${r.patient_id}|${r.instrument}|${r.administered_on}`,
  abstinence: (r) => `${r.patient_id}|${r.collected_on}|${r.method}|${r.substance}`,
  followups: (r) => `${r.patient_id}|${r.interview_type}|${r.interviewed_on}`,
};
