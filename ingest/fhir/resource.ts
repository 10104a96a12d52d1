/**
 * Minimal, defensive readers for FHIR R4 JSON. Resources come from outside, so every
 * accessor checks the shape instead of trusting a type: a missing or odd element reads
 * as `undefined` and the mapper decides whether that quarantines the resource.
 */
export interface Resource {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
}

export const LOINC = 'http://loinc.org';

export function isResource(v: unknown): v is Resource {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { resourceType?: unknown }).resourceType === 'string';
}

export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function idOf(r: Resource): string | undefined {
  return str(r.id);
}

export interface Coding {
  system: string | undefined;
  code: string;
}

/** The codings of a CodeableConcept (or of an array of them). */
export function codings(cc: unknown): Coding[] {
  const concepts = Array.isArray(cc) ? cc : [cc];
  const out: Coding[] = [];
  for (const c of concepts) {
    for (const coding of arr(obj(c)?.coding)) {
      const o = obj(coding);
      const code = str(o?.code);
      if (code) out.push({ system: str(o?.system), code });
    }
  }
  return out;
}

export function loincCodes(cc: unknown): string[] {
  return codings(cc).filter((c) => c.system === LOINC || c.system === undefined).map((c) => c.code);
}

/**
 * The id a reference points at when it names `type`: `Patient/p1`, an absolute URL
 * ending in `/Patient/p1`, or either with `/_history/n`.
 */
export function refId(ref: unknown, type: string): string | undefined {
  const reference = str(obj(ref)?.reference);
  if (!reference) return undefined;
  const m = new RegExp(`(?:^|/)${type}/([^/]+)(?:/_history/[^/]+)?$`).exec(reference);
  return m?.[1];
}

const DATE_RE = /^(\d{4}-\d{2}-\d{2})/;

/** The calendar date of a FHIR date, dateTime or instant, as written (its own offset). */
export function dateOf(v: unknown): string | undefined {
  const s = str(v);
  return s ? DATE_RE.exec(s)?.[1] : undefined;
}

/** The first effective date of an Observation: effective[x], else issued. */
export function effectiveDate(r: Resource): string | undefined {
  return dateOf(r.effectiveDateTime) ?? dateOf(obj(r.effectivePeriod)?.start) ?? dateOf(r.effectiveInstant) ?? dateOf(r.issued);
}

export function lastUpdated(r: Resource): string | undefined {
  return str(obj(r.meta)?.lastUpdated);
}

/** Human-readable `Type/id` for messages and lineage. */
export function label(r: Resource): string {
  return `${r.resourceType}/${idOf(r) ?? '(no id)'}`;
}
