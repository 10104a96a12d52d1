import type { z } from 'zod';
import type { EntityName } from './entities';
import type { Cell } from './fields';
import { checkEpisodeOfPatient, checkPatient, listKnown, type CellError, type Refs } from './references';
import { checkScores } from './scores';

/**
 * Turns one validated CSV record into the values of its staging row, or the list of
 * everything wrong with it. Staging columns are the target table's columns
 * (STAGING_COLUMNS), so the merge is a plain set-based comparison.
 */
export const STAGING_COLUMNS: Record<EntityName, readonly string[]> = {
  tracks: ['track_code', 'name', 'level_of_care', 'active'],
  instruments: ['code', 'name', 'loinc', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability',
    'norm_sd', 'clinical_cutoff', 'remission_below', 'item_count', 'item_min', 'item_max'],
  patients: ['patient_id', 'birth_year', 'sex', 'race', 'ethnicity'],
  episodes: ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'primary_substance'],
  attendance: ['session_id', 'episode_id', 'patient_id', 'session_date', 'status', 'session_type', 'minutes'],
  assessments: ['patient_id', 'instrument', 'administered_on', 'total_score', 'source_episode_id', 'items'],
  abstinence: ['patient_id', 'collected_on', 'method', 'substance', 'result', 'source_episode_id', 'prescribed', 'days_used_past_30'],
};

export type RowResult = { ok: true; values: unknown[] } | { ok: false; errors: CellError[] };

type Parsed = Record<string, unknown>;

export function prepareRow(
  entity: EntityName,
  schema: z.ZodType<Parsed>,
  cells: Record<string, Cell>,
  items: Map<number, string>,
  refs: Refs,
): RowResult {
  const parsed = schema.safeParse(cells);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const column = String(i.path[0] ?? '');
      return { column, value: cells[column] ?? null, message: i.message };
    });
    return { ok: false, errors };
  }
  const row = parsed.data;
  const errors: CellError[] = [];
  const values = contextValues(entity, row, items, refs, errors);
  return errors.length || !values ? { ok: false, errors } : { ok: true, values };
}

function contextValues(entity: EntityName, row: Parsed, items: Map<number, string>, refs: Refs, errors: CellError[]): unknown[] | null {
  const s = (k: string) => row[k] as string;
  switch (entity) {
    case 'episodes': {
      checkPatient(refs, s('patient_id'), errors);
      if (!refs.tracks.has(s('track_code'))) {
        errors.push({ column: 'track_code', value: s('track_code'), message: `unknown track_code; known tracks: ${listKnown(refs.tracks)}` });
      }
      break;
    }
    case 'attendance': {
      const owner = refs.episodes.get(s('episode_id'));
      if (owner === undefined) {
        errors.push({ column: 'episode_id', value: s('episode_id'), message: 'unknown episode_id: ingest the episode in episodes first' });
        return null;
      }
      return STAGING_COLUMNS.attendance.map((c) => (c === 'patient_id' ? owner : row[c]));
    }
    case 'assessments': {
      const inst = refs.instruments.get(s('instrument').toLowerCase());
      checkPatient(refs, s('patient_id'), errors);
      checkEpisodeOfPatient(refs, row.episode_id as string | null, s('patient_id'), errors);
      if (!inst) {
        errors.push({ column: 'instrument', value: s('instrument'), message: `unknown instrument; known instruments: ${listKnown([...refs.instruments.values()].map((i) => i.code))}` });
        return null;
      }
      if (items.size > 0 && inst.item_count === null && inst.item_min === null) {
        // An instrument without item definitions: items are summed but not range-checked.
      }
      const scored = checkScores(inst, row.total_score as number | null, items, errors);
      return [s('patient_id'), inst.code, row.administered_on, scored.total, row.episode_id, scored.items];
    }
    case 'abstinence': {
      checkPatient(refs, s('patient_id'), errors);
      checkEpisodeOfPatient(refs, row.episode_id as string | null, s('patient_id'), errors);
      return STAGING_COLUMNS.abstinence.map((c) => (c === 'source_episode_id' ? row.episode_id : row[c]));
    }
    default:
      break;
  }
  return STAGING_COLUMNS[entity].map((c) => row[c]);
}

/** One value in PostgreSQL COPY text format. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `{${v.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}`;
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
