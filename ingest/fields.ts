import { z } from 'zod';

/**
 * zod field parsers for CSV cells. A cell arrives as a trimmed string, or null when
 * empty (docs/formats.md: an empty cell means null). Each parser's message states what
 * was expected, because it is shown to the person fixing the export.
 */
export type Cell = string | null;

export interface FieldContext {
  /** The ingest date: no date may lie after it (docs/formats.md). */
  today: string;
  /** Profile date format, e.g. `MM/DD/YYYY`; ISO `YYYY-MM-DD` is always accepted. */
  dateFormat: string | null;
}

const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._:\-/ ]{0,63}$/;

export function required<T extends z.ZodType<unknown, string>>(inner: T, what: string) {
  return z.string({ error: `is required (${what})` }).pipe(inner);
}

/** `nullable`, not a union with null: a union would replace the inner message with zod's "Invalid input". */
export function optional<T extends z.ZodType>(inner: T) {
  return inner.nullable();
}

export const code = (what: string) =>
  z.string().regex(CODE_RE, `must be a ${what}: 1–64 letters, digits, '.', '_', '-', ':', '/' or spaces`);

export const text = (max = 200) => z.string().max(max, `must be at most ${max} characters`);

export const integer = (min: number, max: number) =>
  z.string().transform((s, ctx) => {
    const n = /^[+-]?\d+(\.0+)?$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

export const decimal = () =>
  z.string().transform((s, ctx) => {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be a number' });
      return z.NEVER;
    }
    return n;
  });

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);
export const bool = () =>
  z.string().transform((s, ctx) => {
    const v = s.toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

/** Enumerations are matched case-insensitively, with spaces and hyphens read as `_` ("No Show" → no_show). */
export function oneOf<const T extends readonly string[]>(values: T) {
  const allowed = new Set<string>(values);
  return z.string().transform((s, ctx) => {
    const v = s.toLowerCase().replace(/[\s-]+/g, '_');
    if (allowed.has(v)) return v as T[number];
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
    return z.NEVER;
  });
}

export function date(fc: FieldContext) {
  return z.string().transform((s, ctx) => {
    const iso = parseDate(s, fc.dateFormat);
    if (!iso) {
      ctx.addIssue({ code: 'custom', message: `must be a date as ${fc.dateFormat ?? 'YYYY-MM-DD'}` });
      return z.NEVER;
    }
    if (iso < '1900-01-01') {
      ctx.addIssue({ code: 'custom', message: 'must not be before 1900-01-01' });
      return z.NEVER;
    }
    if (iso > fc.today) {
      ctx.addIssue({ code: 'custom', message: `must not be after the ingest date ${fc.today}` });
      return z.NEVER;
    }
    return iso;
  });
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO dates (optionally with a time, which is dropped) are always accepted; a profile
 * may add one other layout built from YYYY, MM/M and DD/D with any separator, or
 * `excel` for Excel serial day numbers (1900 date system).
 */
export function parseDate(s: string, format: string | null): string | null {
  const iso = ISO_RE.exec(s);
  if (iso) return validYmd(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (!format) return null;
  if (format.toLowerCase() === 'excel') return fromExcelSerial(s);
  const re = formatRegex(format);
  const m = re.regex.exec(s);
  if (!m) return null;
  const get = (k: 'Y' | 'M' | 'D') => Number(m[re.order.indexOf(k) + 1]);
  return validYmd(get('Y'), get('M'), get('D'));
}

const formatCache = new Map<string, { regex: RegExp; order: ('Y' | 'M' | 'D')[] }>();
function formatRegex(format: string): { regex: RegExp; order: ('Y' | 'M' | 'D')[] } {
  const cached = formatCache.get(format);
  if (cached) return cached;
  const order: ('Y' | 'M' | 'D')[] = [];
  const src = format.replace(/YYYY|MM|DD|M|D|[.*+?^${}()|[\]\\]/g, (tok) => {
    if (tok === 'YYYY') return order.push('Y'), '(\\d{4})';
    if (tok === 'MM' || tok === 'M') return order.push('M'), '(\\d{1,2})';
    if (tok === 'DD' || tok === 'D') return order.push('D'), '(\\d{1,2})';
    return `\\${tok}`;
  });
  const built = { regex: new RegExp(`^${src}$`), order };
  formatCache.set(format, built);
  return built;
}

function fromExcelSerial(s: string): string | null {
  if (!/^\d{1,6}(\.\d+)?$/.test(s)) return null;
  // Serial 25569 is 1970-01-01; Excel's fictitious 1900-02-29 makes serials before 61 unusable.
  const serial = Math.floor(Number(s));
  if (serial < 61) return null;
  return new Date((serial - 25569) * 86_400_000).toISOString().slice(0, 10);
}

function validYmd(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export const codePattern = CODE_RE;

/**
 * The shape of an ICD-10-CM code (CMS ICD-10-CM Official Guidelines, Section I.A: a
 * 3-character category, letter + digit + alphanumeric, then up to 4 more characters after
 * an optional dot). It checks the shape, not that the code is in the current code set.
 */
export const ICD10_CM_RE = /^[A-Z][0-9][A-Z0-9](?:\.?[A-Z0-9]{1,4})?$/;
const ICD10_SHAPE = "letter, digit, alphanumeric, optional '.' and up to 4 alphanumerics";
/** Far more codes than an episode carries: a longer list is a broken export (or a wrong column mapped to diagnoses). */
export const MAX_DIAGNOSES = 50;

/**
 * One ICD-10-CM code, upper-cased and written with its dot after the category (`f321` →
 * `F32.1`), so one code has one spelling in the warehouse; null when it is not one.
 */
export function normalizeIcd10(raw: string): string | null {
  const c = raw.trim().toUpperCase();
  if (!ICD10_CM_RE.test(c)) return null;
  return c.length > 3 && c[3] !== '.' ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
}

/**
 * A `;`-separated list of ICD-10-CM codes (docs/formats.md "Row rules"): each is checked
 * and normalised; the first bad one rejects the cell, named by its position in the list.
 */
export const icd10List = () =>
  z.string().transform((s, ctx) => {
    const parts = s.split(';').map((p) => p.trim());
    if (parts.length > MAX_DIAGNOSES) {
      ctx.addIssue({ code: 'custom', message: `has ${parts.length} codes; at most ${MAX_DIAGNOSES} are accepted` });
      return z.NEVER;
    }
    const codes: string[] = [];
    for (const [i, part] of parts.entries()) {
      const code = normalizeIcd10(part);
      if (code === null) {
        const shown = part === '' ? 'is empty' : `'${part}' is not an ICD-10-CM code (${ICD10_SHAPE})`;
        ctx.addIssue({ code: 'custom', message: `code ${i + 1} of ${parts.length} ${shown}` });
        return z.NEVER;
      }
      codes.push(code);
    }
    return codes;
  });
