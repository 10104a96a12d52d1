import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { DISCHARGE_REASONS } from '../entities';

export type DischargeReason = (typeof DISCHARGE_REASONS)[number];

/**
 * Item LOINC codes of the built-in instruments, in questionnaire order (item_1 …).
 * PHQ-9: LOINC panel 44249-1; GAD-7: LOINC panel 69737-5. The instruments table only
 * names the total's LOINC, so the items are listed here.
 */
export const INSTRUMENT_ITEMS: Readonly<Record<string, readonly string[]>> = {
  'PHQ-9': ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'],
  'GAD-7': ['69725-0', '68509-0', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7'],
};

/** Panels group their members (which are mapped one by one); they carry no score. */
export const PANEL_CODES: ReadonlySet<string> = new Set(['44249-1', '69737-5']);

/** Questions asked with an instrument but not part of its score (PHQ-9 "difficulty", 69722-7). */
export const UNSCORED_ITEMS: ReadonlySet<string> = new Set(['69722-7']);

export interface ItemRef {
  instrument: string;
  /** 1-based item number. */
  n: number;
}

export const ITEM_BY_LOINC: ReadonlyMap<string, ItemRef> = new Map(
  Object.entries(INSTRUMENT_ITEMS).flatMap(([instrument, codes]) => codes.map((c, i) => [c, { instrument, n: i + 1 }] as const)),
);

/**
 * Fallback ordinal values of LOINC answer list LL358-3 (PHQ-9 and GAD-7 frequency
 * answers), the values the US Core PHQ-9 Questionnaire's `ordinalValue` extensions
 * carry. A Questionnaire in the input takes precedence.
 */
export const DEFAULT_ORDINALS: ReadonlyMap<string, number> = new Map([
  ['LA6568-5', 0], ['LA6569-3', 1], ['LA6570-1', 2], ['LA6571-9', 3],
]);

/**
 * Default discharge map: HL7 discharge-disposition codes
 * (terminology.hl7.org/CodeSystem/discharge-disposition) and NUBC patient discharge
 * status codes whose meaning is unambiguous. "Home" is deliberately absent: going home
 * does not say whether treatment was completed, so programs map it in `discharge_map`.
 */
export const DEFAULT_DISCHARGE_MAP: Readonly<Record<string, DischargeReason>> = {
  aadvice: 'against_advice', '07': 'against_advice',
  exp: 'died', '20': 'died', '40': 'died', '41': 'died', '42': 'died',
  'other-hcf': 'transferred', hosp: 'transferred', long: 'transferred', psy: 'transferred', rehab: 'transferred', snf: 'transferred',
  '02': 'transferred', '03': 'transferred', '04': 'transferred', '05': 'transferred', '43': 'transferred', '61': 'transferred',
  '62': 'transferred', '63': 'transferred', '65': 'transferred', '66': 'transferred', '70': 'transferred',
  oth: 'other',
};

/**
 * CDC Opioid CDS value sets of urine drug screening tests → substance class (the
 * lower-case classes of docs/formats.md). Every opioid value set is `opioids`.
 */
const VALUESET_CLASS: Readonly<Record<string, string>> = {
  amphetamine: 'stimulants', cocaine: 'stimulants', benzodiazepine: 'benzodiazepines', barbiturate: 'barbiturates',
  cannabinoid: 'cannabis', phencyclidine: 'phencyclidine', xylazine: 'xylazine',
};

let udsMap: Map<string, string> | undefined;

/**
 * UDS LOINC → substance class, from `uds-loinc-by-valueset.csv` (a copy of
 * tests/reference/published/fhir/DERIVED_uds_loinc_by_valueset.csv, derived from the CDC Opioid
 * CDS IG value sets). No LOINC code there falls in two classes.
 */
export function udsSubstance(loinc: string): string | undefined {
  udsMap ??= loadUdsMap();
  return udsMap.get(loinc);
}

function loadUdsMap(): Map<string, string> {
  const text = fs.readFileSync(new URL('./uds-loinc-by-valueset.csv', import.meta.url), 'utf8');
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as { loinc_code: string; valueset_id: string }[];
  const map = new Map<string, string>();
  for (const r of rows) {
    const family = r.valueset_id.split('-')[0] ?? '';
    map.set(r.loinc_code, VALUESET_CLASS[family] ?? 'opioids');
  }
  return map;
}
