/**
 * ICD-10-CM code lists as the measures write them (warehouse/measure-rules.ts): `F32.*` (a
 * category and every code under it), `F20-F29` (every category of the range and the
 * codes under them), `F34.1` (that code and the codes under it). Turned into one
 * anchored PostgreSQL regular expression over the warehouse's normalised codes
 * (upper case, dot after the category, as ingest writes them).
 */

const CATEGORY = /^[A-Z][0-9][0-9A-Z]$/;
const CODE = /^[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}$/;

function escape(code: string): string {
  return code.replace(/\./g, '\\.');
}

/** One entry of a code list as a regular-expression alternative; throws on an entry that is not one of the three forms. */
export function codeAlternative(entry: string): string {
  if (entry.endsWith('.*')) {
    const cat = entry.slice(0, -2);
    if (!CATEGORY.test(cat)) throw new RangeError(`bad code list entry ${entry}: expected a category such as F32.*`);
    return `${cat}(\\..*)?`;
  }
  const range = /^([A-Z])([0-9]{2})-([A-Z])([0-9]{2})$/.exec(entry);
  if (range) {
    const [, l1, a, l2, b] = range;
    if (l1 !== l2 || Number(a) > Number(b)) throw new RangeError(`bad code list entry ${entry}: expected a range of one letter such as F20-F29`);
    const cats: string[] = [];
    for (let n = Number(a); n <= Number(b); n += 1) cats.push(`${l1}${String(n).padStart(2, '0')}`);
    return `(${cats.join('|')})(\\..*)?`;
  }
  if (CATEGORY.test(entry)) return `${entry}(\\..*)?`;
  if (CODE.test(entry)) return `${escape(entry)}.*`;
  throw new RangeError(`bad code list entry ${entry}: expected a code (F34.1), a category (F32.*) or a range (F20-F29)`);
}

/** The anchored regular expression matching any code of the list. */
export function codeListPattern(entries: readonly string[]): string {
  return `^(${entries.map(codeAlternative).join('|')})$`;
}

/** The same test in TypeScript (for tests and the docs). */
export function matchesCodeList(code: string, entries: readonly string[]): boolean {
  return new RegExp(codeListPattern(entries)).test(code);
}
