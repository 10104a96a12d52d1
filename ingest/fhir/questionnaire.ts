import { arr, codings, dateOf, label, loincCodes, num, obj, refId, str, type Resource } from './resource';
import { numericValue } from './map-observation';
import { reject, type Answer, type Mapped, type MapOptions } from './mapped';
import { ITEM_BY_LOINC } from './terminology';

/** `ordinalValue` (R4 core extension) and its pre-R4 names, on Questionnaire.item.answerOption. */
const ORDINAL_URLS = new Set([
  'http://hl7.org/fhir/StructureDefinition/ordinalValue',
  'http://hl7.org/fhir/StructureDefinition/questionnaire-ordinalValue',
  'http://hl7.org/fhir/StructureDefinition/iso21090-CO-value',
]);

/** What scoring needs from a Questionnaire: answer code → ordinal value, and each linkId's LOINC codes. */
export interface QuestionnaireScoring {
  ordinals: Map<string, number>;
  itemCodes: Map<string, string[]>;
}

export function canonical(url: string | undefined): string | undefined {
  return url?.split('|')[0];
}

export function readQuestionnaire(q: Resource): QuestionnaireScoring {
  const ordinals = new Map<string, number>();
  const itemCodes = new Map<string, string[]>();
  const visit = (items: unknown[]): void => {
    for (const raw of items) {
      const item = obj(raw);
      if (!item) continue;
      const linkId = str(item.linkId);
      // Questionnaire.item.code is a list of Codings, not a CodeableConcept.
      if (linkId) itemCodes.set(linkId, loincCodes({ coding: item.code }));
      for (const opt of arr(item.answerOption).map(obj)) {
        const code = str(obj(opt?.valueCoding)?.code);
        const ext = arr(opt?.extension).map(obj).find((e) => ORDINAL_URLS.has(str(e?.url) ?? ''));
        const value = num(ext?.valueDecimal) ?? num(ext?.valueInteger);
        if (code && value !== undefined) ordinals.set(code, value);
      }
      visit(arr(item.item));
    }
  };
  visit(arr(q.item));
  return { ordinals, itemCodes };
}

/**
 * A QuestionnaireResponse → its instrument total (an answer to the total's LOINC item)
 * and its scorable item answers, which the load scores through the Questionnaire's
 * ordinal values when no total is present.
 */
export function mapQuestionnaireResponse(r: Resource, q: QuestionnaireScoring | undefined, o: MapOptions): Mapped[] {
  const status = str(r.status);
  if (status !== 'completed' && status !== 'amended') return [reject(`QuestionnaireResponse status ${status ?? '(none)'} is not completed`)];
  const patient = refId(r.subject, 'Patient');
  if (!patient) return [reject('no Patient subject')];
  const date = dateOf(r.authored);
  if (!date) return [reject('no authored date')];
  const out: Mapped[] = [];
  for (const { linkId, answer } of answers(arr(r.item))) {
    const declared = q?.itemCodes.get(linkId) ?? [];
    const codes = declared.length ? declared : linkIdCodes(linkId);
    for (const code of codes) {
      const instrument = o.instrumentsByLoinc.get(code);
      const value = numericValue(answer);
      if (instrument && value !== undefined) {
        out.push({ kind: 'row', entity: 'assessments', cells: [patient, instrument, date, value, null, label(r)] });
        break;
      }
      const item = ITEM_BY_LOINC.get(code);
      const a = answerOf(answer, value);
      if (item && a) {
        out.push({ kind: 'item', patient, instrument: item.instrument, date, n: item.n, answer: a });
        break;
      }
    }
  }
  if (out.length === 0) return [reject('no answer maps to an instrument total or item (by LOINC code or linkId)')];
  return out;
}

function answerOf(answer: Record<string, unknown>, value: number | undefined): Answer | undefined {
  if (value !== undefined) return { value };
  const codes = codings({ coding: [answer.valueCoding] }).map((c) => c.code);
  return codes.length ? { codes } : undefined;
}

/** US Core uses the item's LOINC code as its linkId (`/44250-9`). */
function linkIdCodes(linkId: string): string[] {
  const m = /(\d{1,7}-\d)$/.exec(linkId);
  return m?.[1] ? [m[1]] : [];
}

function* answers(items: unknown[]): Generator<{ linkId: string; answer: Record<string, unknown> }> {
  for (const raw of items) {
    const item = obj(raw);
    if (!item) continue;
    const linkId = str(item.linkId);
    for (const a of arr(item.answer).map(obj)) {
      if (!a) continue;
      if (linkId) yield { linkId, answer: a };
      yield* answers(arr(a.item));
    }
    yield* answers(arr(item.item));
  }
}
