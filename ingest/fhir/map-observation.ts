import { arr, codings, effectiveDate, label, loincCodes, num, obj, refId, str, type Resource } from './resource';
import { ignore, reject, type Answer, type Mapped, type MapOptions } from './mapped';
import { ITEM_BY_LOINC, PANEL_CODES, UNSCORED_ITEMS, udsSubstance } from './terminology';

/** Statuses of a result that stands (FHIR R4 observation-status). */
const USABLE_STATUS = new Set(['final', 'amended', 'corrected', 'preliminary']);

/**
 * Observation → an assessment total (a LOINC the instruments table names), a scored
 * item (scored later, through ordinal values), or a urine drug screen (a LOINC of the
 * CDC UDS value sets) → abstinence. Nothing is de-duplicated by id: the natural keys
 * (patient, instrument or substance, date) decide, so one id on two dates is two results.
 */
export function mapObservation(r: Resource, o: MapOptions): Mapped {
  const status = str(r.status);
  if (status && !USABLE_STATUS.has(status)) return reject(`Observation status ${status} is not a result`);
  const codes = loincCodes(r.code);
  if (codes.length === 0) return reject(`no LOINC code (codes: ${codings(r.code).map((c) => c.code).join(', ') || 'none'})`);
  if (codes.some((c) => PANEL_CODES.has(c))) return ignore('panel: its member Observations are mapped');
  if (codes.some((c) => UNSCORED_ITEMS.has(c))) return ignore('item not part of the instrument score');
  const patient = refId(r.subject, 'Patient');
  if (!patient) return reject('no Patient subject');
  const date = effectiveDate(r);
  if (!date) return reject('no effective date');

  for (const code of codes) {
    const instrument = o.instrumentsByLoinc.get(code);
    if (instrument) return total(r, patient, instrument, date);
    const item = ITEM_BY_LOINC.get(code);
    if (item) return itemAnswer(r, patient, item.instrument, date, item.n);
    const substance = udsSubstance(code);
    if (substance) return drugScreen(r, patient, date, substance);
  }
  return reject(`LOINC ${codes.join(', ')} is neither an instrument total or item nor a urine drug screen`);
}

function total(r: Resource, patient: string, instrument: string, date: string): Mapped {
  const score = numericValue(r);
  if (score === undefined) return reject(`${instrument} total has no numeric value (valueQuantity, valueInteger, valueDecimal or valueString)`);
  return { kind: 'row', entity: 'assessments', cells: [patient, instrument, date, score, null, label(r)] };
}

function itemAnswer(r: Resource, patient: string, instrument: string, date: string, n: number): Mapped {
  const value = numericValue(r);
  const answer: Answer | undefined = value !== undefined ? { value } : answerCodes(r.valueCodeableConcept);
  if (!answer) return reject(`${instrument} item ${n} has no answer`);
  return { kind: 'item', patient, instrument, date, n, answer };
}

function answerCodes(cc: unknown): Answer | undefined {
  const codes = codings(cc).map((c) => c.code);
  return codes.length ? { codes } : undefined;
}

/** valueQuantity, valueInteger, valueDecimal or a numeric valueString (US Core's PHQ-9 total is `"12"`). */
export function numericValue(r: Record<string, unknown>): number | undefined {
  const direct = num(obj(r.valueQuantity)?.value) ?? num(r.valueInteger) ?? num(r.valueDecimal);
  if (direct !== undefined) return direct;
  const s = str(r.valueString)?.trim();
  return s && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : undefined;
}

const POSITIVE = new Set(['pos', 'positive', 'detected', 'det', 'la6576-8', '10828004', '260373001']);
const NEGATIVE = new Set(['neg', 'negative', 'not detected', 'nd', 'la6577-6', '260385009', '260415000']);

function drugScreen(r: Resource, patient: string, date: string, substance: string): Mapped {
  const result = screenResult(r);
  if (!result) return reject(`urine drug screen has no POS/NEG result in value or interpretation`);
  return { kind: 'row', entity: 'abstinence', cells: [patient, date, 'uds', substance, result, label(r)] };
}

/** The value (valueString or valueCodeableConcept) wins; else the interpretation (POS/NEG). */
function screenResult(r: Resource): 'positive' | 'negative' | undefined {
  const candidates = [
    str(r.valueString),
    ...codings(r.valueCodeableConcept).map((c) => c.code),
    str(obj(r.valueCodeableConcept)?.text),
    ...codings(arr(r.interpretation)).map((c) => c.code),
  ];
  for (const c of candidates) {
    const v = c?.trim().toLowerCase();
    if (v === undefined) continue;
    if (POSITIVE.has(v)) return 'positive';
    if (NEGATIVE.has(v)) return 'negative';
  }
  return undefined;
}

