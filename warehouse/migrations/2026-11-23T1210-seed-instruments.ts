import type { Kysely } from 'kysely';

/**
 * Built-in instruments with the thresholds of METRICS.md ("Built-in instruments").
 * Item ranges: PHQ-9 9×0–3 (Kroenke 2001), GAD-7 7×0–3 (Spitzer 2006), PCL-5 20×0–4
 * (Weathers 2013), AUDIT-C 3×0–4 (Bush 1998), DAST-10 10×0–1 (Skinner 1982).
 * Frozen: a later change to a threshold is a new migration.
 */
const BUILT_IN = [
  { code: 'PHQ-9', name: 'Patient Health Questionnaire-9', loinc: '44261-6', min_score: 0, max_score: 27, reliable_change_points: 6, clinical_cutoff: 10, remission_below: 5, item_count: 9, item_min: 0, item_max: 3 },
  { code: 'GAD-7', name: 'Generalized Anxiety Disorder-7', loinc: '70274-6', min_score: 0, max_score: 21, reliable_change_points: 4, clinical_cutoff: 8, remission_below: 5, item_count: 7, item_min: 0, item_max: 3 },
  { code: 'PCL-5', name: 'PTSD Checklist for DSM-5', loinc: null, min_score: 0, max_score: 80, reliable_change_points: 10, clinical_cutoff: 33, remission_below: null, item_count: 20, item_min: 0, item_max: 4 },
  { code: 'AUDIT-C', name: 'AUDIT-Consumption', loinc: '75626-2', min_score: 0, max_score: 12, reliable_change_points: null, clinical_cutoff: 4, remission_below: null, item_count: 3, item_min: 0, item_max: 4 },
  { code: 'DAST-10', name: 'Drug Abuse Screening Test-10', loinc: '82667-7', min_score: 0, max_score: 10, reliable_change_points: null, clinical_cutoff: 3, remission_below: null, item_count: 10, item_min: 0, item_max: 1 },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('instruments')
    .values(BUILT_IN.map((i) => ({ ...i, higher_is_better: false, reliability: null, norm_sd: null })))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('instruments').where('code', 'in', BUILT_IN.map((i) => i.code)).execute();
}
