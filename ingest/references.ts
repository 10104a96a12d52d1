import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../warehouse/db-types';

/**
 * Reference data a batch validates against: known tracks, instruments, patients and
 * episodes (docs/formats.md: "an unknown track or instrument is rejected and the
 * message lists the known ones"). Loaded once per batch, only what the entity needs.
 */
export interface InstrumentRef {
  code: string;
  min_score: number;
  max_score: number;
  item_count: number | null;
  item_min: number | null;
  item_max: number | null;
}

export interface Refs {
  tracks: Set<string>;
  sites: Set<string>;
  clinicians: Set<string>;
  instruments: Map<string, InstrumentRef>;
  patients: Set<string>;
  /** episode_id → patient_id */
  episodes: Map<string, string>;
}

/** A kind of reference data an entity's rows are checked against (its spec's `references`). */
export type RefKind = keyof Refs;

export interface CellError {
  column: string;
  value: string | null;
  message: string;
}

type Executor = Kysely<DB> | Transaction<DB>;

/** Loads the reference data of the given kinds (an entity spec's `references`); the others stay empty. */
export async function loadRefs(db: Executor, kinds: readonly RefKind[]): Promise<Refs> {
  const refs: Refs = { tracks: new Set(), sites: new Set(), clinicians: new Set(), instruments: new Map(), patients: new Set(), episodes: new Map() };
  if (kinds.includes('tracks')) {
    for (const t of await db.selectFrom('tracks').select('track_code').execute()) refs.tracks.add(t.track_code);
  }
  if (kinds.includes('sites')) {
    for (const s of await db.selectFrom('sites').select('site_code').execute()) refs.sites.add(s.site_code);
  }
  if (kinds.includes('clinicians')) {
    for (const c of await db.selectFrom('clinicians').select('clinician_id').execute()) refs.clinicians.add(c.clinician_id);
  }
  if (kinds.includes('instruments')) {
    const rows = await db.selectFrom('instruments').select(['code', 'min_score', 'max_score', 'item_count', 'item_min', 'item_max']).execute();
    for (const r of rows) refs.instruments.set(r.code.toLowerCase(), r);
  }
  if (kinds.includes('patients')) {
    for (const p of await db.selectFrom('patients').select('patient_id').execute()) refs.patients.add(p.patient_id);
  }
  if (kinds.includes('episodes')) {
    for (const e of await db.selectFrom('episodes').select(['episode_id', 'patient_id']).execute()) refs.episodes.set(e.episode_id, e.patient_id);
  }
  return refs;
}

export function listKnown(values: Iterable<string>, max = 20): string {
  const all = [...values].sort();
  if (all.length === 0) return '(none yet: ingest them first)';
  return all.length > max ? `${all.slice(0, max).join(', ')} … (${all.length} in all)` : all.join(', ');
}

export function checkPatient(refs: Refs, patientId: string, errors: CellError[]): void {
  if (!refs.patients.has(patientId)) {
    errors.push({ column: 'patient_id', value: patientId, message: 'unknown patient_id: ingest the patient in patients first' });
  }
}

/**
 * An optional reference to a site or clinician must exist, as a track must (docs/formats.md
 * "Row rules"): an unknown one rejects the row and the message lists the known ones (sites
 * and clinicians are a program's staff and locations, not patients, so listing them is fine).
 */
export function checkOptionalRef(refs: Refs, kind: 'sites' | 'clinicians', column: string, value: unknown, errors: CellError[]): void {
  if (value === null || value === undefined) return;
  const v = String(value);
  if (!refs[kind].has(v)) {
    const what = kind === 'sites' ? 'site' : 'clinician';
    errors.push({ column, value: v, message: `unknown ${column}: ingest the ${what} in ${kind} first; known ${kind}: ${listKnown(refs[kind])}` });
  }
}

/** An explicit episode_id must exist and belong to the row's patient. */
export function checkEpisodeOfPatient(refs: Refs, episodeId: string | null, patientId: string, errors: CellError[]): void {
  if (episodeId === null) return;
  const owner = refs.episodes.get(episodeId);
  if (owner === undefined) {
    errors.push({ column: 'episode_id', value: episodeId, message: 'unknown episode_id: ingest the episode in episodes first' });
  } else if (owner !== patientId) {
    errors.push({ column: 'episode_id', value: episodeId, message: `episode ${episodeId} belongs to patient ${owner}, not ${patientId}` });
  }
}
