import { INTERVIEW_ANSWERS, INTERVIEW_STATUSES, INTERVIEW_TYPES } from '../../warehouse/followup-rules';
import { reject, type Cell, type Mapped } from './mapped';
import { arr, dateOf, label, obj, refId, str, type Resource } from './resource';

/**
 * GPRA/NOMs interviews as FHIR `QuestionnaireResponse`s (docs/funder-reporting.md
 * "Loading interviews"): a response to one of the configured Questionnaires becomes a
 * `followups` row. Its `authored` date is the interview date and its subject the
 * patient; each answer whose linkId the item map names fills that column. The answer may
 * be a valueCoding (its code), valueString, valueBoolean, valueInteger or valueDecimal;
 * the CSV rules then apply (enumerations, booleans as true/false, yes/no, y/n or 1/0,
 * days 0–30), so a bad answer is quarantined with its row like a bad CSV cell.
 */

/** The followups columns an item can fill. */
export const FOLLOWUP_ITEM_COLUMNS = ['interview_type', 'status', 'episode_id', ...INTERVIEW_ANSWERS] as const;
export type FollowupItemColumn = (typeof FOLLOWUP_ITEM_COLUMNS)[number];

export interface FollowupItemMap {
  /** Canonical URLs of the Questionnaires whose responses are interviews (a `|version` suffix is ignored). */
  readonly questionnaires: readonly string[];
  /** linkId → followups column. */
  readonly items: Readonly<Record<string, FollowupItemColumn>>;
}

/**
 * The default map: our own Questionnaire, whose linkIds are the column names. A program
 * whose GPRA form uses other linkIds configures its own (`followup_map` of a FHIR source
 * in the jobs file, docs/jobs.md), e.g. `{"q12": "days_used_past_30"}`.
 */
export const DEFAULT_FOLLOWUP_MAP: FollowupItemMap = {
  questionnaires: ['http://iop-outcomes.example/fhir/Questionnaire/gpra-interview'],
  items: Object.fromEntries(FOLLOWUP_ITEM_COLUMNS.map((c) => [c, c])) as Record<string, FollowupItemColumn>,
};

/** The row's columns, in the order of FHIR_COLUMNS.followups (mapped.ts). */
export const FOLLOWUP_FHIR_COLUMNS = ['patient_id', 'interview_type', 'interviewed_on', 'status', ...FOLLOWUP_ITEM_COLUMNS.slice(2)] as const;

function answerValue(a: Record<string, unknown>): Cell {
  const coding = obj(a.valueCoding);
  if (coding) return str(coding.code) ?? null;
  for (const k of ['valueString', 'valueInteger', 'valueDecimal']) if (a[k] !== undefined && a[k] !== null) return a[k] as Cell;
  if (typeof a.valueBoolean === 'boolean') return String(a.valueBoolean);
  return null;
}

function* answered(items: unknown[]): Generator<{ linkId: string; value: Cell }> {
  for (const raw of items) {
    const item = obj(raw);
    if (!item) continue;
    const linkId = str(item.linkId);
    const first = arr(item.answer).map(obj).find((a) => a !== undefined);
    if (linkId && first) yield { linkId, value: answerValue(first) };
    for (const a of arr(item.answer).map(obj)) if (a) yield* answered(arr(a.item));
    yield* answered(arr(item.item));
  }
}

/** One interview response → one followups row (cells in FOLLOWUP_FHIR_COLUMNS order, then the source). */
export function mapFollowupResponse(r: Resource, map: FollowupItemMap): Mapped {
  const status = str(r.status);
  if (status !== 'completed' && status !== 'amended') return reject(`QuestionnaireResponse status ${status ?? '(none)'} is not completed`);
  const patient = refId(r.subject, 'Patient');
  if (!patient) return reject('no Patient subject');
  const date = dateOf(r.authored);
  if (!date) return reject('no authored date');
  const values: Partial<Record<FollowupItemColumn, Cell>> = {};
  for (const { linkId, value } of answered(arr(r.item))) {
    const column = map.items[linkId];
    if (column && values[column] === undefined) values[column] = value;
  }
  if (values.interview_type === undefined || values.interview_type === null) {
    return reject(`no answer gives the interview type (${INTERVIEW_TYPES.join(', ')}): map an item to interview_type`);
  }
  // A response without a status item records a completed interview.
  const cells: Cell[] = [patient, values.interview_type, date, values.status ?? INTERVIEW_STATUSES[0]];
  for (const c of FOLLOWUP_FHIR_COLUMNS.slice(4)) cells.push(values[c as FollowupItemColumn] ?? null);
  cells.push(label(r));
  return { kind: 'row', entity: 'followups', cells };
}
