import type { CellError, InstrumentRef } from './references';

/**
 * Score rules of docs/formats.md: the total lies within the instrument's range; item
 * scores lie within the item range; a given total equals the item sum; items alone
 * give the total. Partial items are kept only beside an explicit total.
 */
export function checkScores(
  inst: InstrumentRef,
  total: number | null,
  rawItems: Map<number, string>,
  errors: CellError[],
): { total: number | null; items: (number | null)[] | null } {
  const items = new Map<number, number>();
  for (const [n, raw] of rawItems) {
    const v = Number(raw);
    const column = `item_${n}`;
    if (raw === '' || !Number.isFinite(v)) {
      errors.push({ column, value: raw, message: 'must be a number' });
    } else if (inst.item_count !== null && n > inst.item_count) {
      errors.push({ column, value: raw, message: `${inst.code} has ${inst.item_count} items` });
    } else if (inst.item_min !== null && inst.item_max !== null && (v < inst.item_min || v > inst.item_max)) {
      errors.push({ column, value: raw, message: `${inst.code} ${column} must be ${inst.item_min}–${inst.item_max}` });
    } else {
      items.set(n, v);
    }
  }
  if (errors.length) return { total, items: null };

  const count = inst.item_count ?? (items.size ? Math.max(...items.keys()) : 0);
  const array = items.size ? Array.from({ length: count }, (_, i) => items.get(i + 1) ?? null) : null;
  const missing = array ? array.flatMap((v, i) => (v === null ? [i + 1] : [])) : [];
  const sum = array && missing.length === 0 ? array.reduce<number>((s, v) => s + (v ?? 0), 0) : null;

  let result = total;
  if (total === null) {
    if (sum === null) {
      const why = array ? `items ${missing.join(', ')} are missing, so the total cannot be computed` : 'no item scores are given';
      errors.push({ column: 'total_score', value: null, message: `is required: ${why}` });
      return { total, items: null };
    }
    result = sum;
  } else if (sum !== null && Math.abs(sum - total) > 1e-9) {
    errors.push({ column: 'total_score', value: String(total), message: `must equal the sum of the item scores (${sum})` });
    return { total, items: null };
  }
  if (result !== null && (result < inst.min_score || result > inst.max_score)) {
    errors.push({ column: 'total_score', value: String(result), message: `${inst.code} total_score must be ${inst.min_score}–${inst.max_score}` });
  }
  return { total: result, items: array };
}
