/**
 * Plain-language sentences written from a definition block (docs/metrics.md "The
 * `definition` block"), shared by the families' `…Text` functions in
 * metrics/<family>/definition.ts. Each family states its rules once, as the object its
 * responses carry; the sentences under a dashboard chart and in the printable report are
 * generated from that object, so moving a window in warehouse/rules.ts moves the text too.
 * Sources are cited in words (a reader has the publication, not our source tree).
 */

/** A definition's sentences, keyed by the part of the definition block each one states. */
export type DefinitionText = Record<string, string>;

/** "a", "a or b", "a, b or c". */
export function list(items: readonly (string | number)[], conjunction = 'or'): string {
  const words = items.map(String);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1) ?? ''}`;
}

/** A code as a reader says it: `against_advice` → "against advice". */
export function spoken(code: string): string {
  return code.replaceAll('_', ' ');
}

/** 0.95 → "95%". */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}

/** "the as-of date" for `as_of`, so the sentences read as prose. */
export const AS_OF = 'the as-of date';

/** Days relative to admission as words: −14 → "14 days before admission", 0 → "admission", 7 → "7 days after admission". */
export function daysFromAdmission(day: number): string {
  if (day === 0) return 'admission';
  return `${Math.abs(day)} ${Math.abs(day) === 1 ? 'day' : 'days'} ${day < 0 ? 'before' : 'after'} admission`;
}

export interface CiRule {
  level: number;
  method: string;
  continuity_correction?: boolean;
}

/** The interval sentence of a proportion (Wilson 1927) or of a survival curve (log scale). */
export function intervalWords(ci: CiRule): string {
  const level = percent(ci.level);
  if (ci.method === 'wilson') {
    return `${level} Wilson score interval${ci.continuity_correction === false ? ' without continuity correction' : ''} (Wilson 1927)`;
  }
  return `${level} ${ci.method}-scale interval`;
}

/** Weeks since admission, as every weekly series counts them. */
export function weeksWords(weeks: readonly [number, number]): string {
  return `week = floor(days since admission / 7), weeks ${weeks[0]}–${weeks[1]}`;
}

/** The log-rank sentence both survival families share (R survival, survdiff with rho = 0). */
export const LOG_RANK_TEXT = 'The groups present are compared with the Mantel–Haenszel log-rank test (as R survival computes it with survdiff, rho = 0).';

export interface SuppressionRule {
  min_cell: number;
  source: string;
}

/** The small-cell rule of docs/metrics.md "Small-cell suppression", from the block's `suppression`. */
export function suppressionText(rule: SuppressionRule): string {
  if (rule.min_cell <= 1) return 'Small-cell suppression is off: every count is shown.';
  return `Small-cell suppression (CMS cell size suppression policy): counts of 1 to ${rule.min_cell - 1} are not shown, nor any rate, mean, interval or curve point computed from them; ` +
    `a group of fewer than ${rule.min_cell} episodes is not shown at all. Zero is never suppressed.`;
}

export interface DisclosureWords {
  base: number;
}

/** `definition.disclosure` in words (docs/metrics.md "Disclosure control"). */
export function disclosureText(rule: DisclosureWords): string {
  return `Disclosure control: after suppression every count is rounded to the nearest multiple of ${rule.base}, so a total may differ from the sum of its parts; ` +
    'rates, intervals and survival are recomputed from the rounded counts, and dates are taken in whole months.';
}
