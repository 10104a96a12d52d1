import type { z } from 'zod';
import type { EntitySpec, ParsedRow } from './entities/spec';
import type { Cell } from './fields';
import type { CellError, Refs } from './references';

/**
 * Turns one CSV record into the values of its staging row (the spec's `staging`
 * columns, which are the target table's), or the list of everything wrong with it:
 * first the spec's zod schema, then its checks against the reference data. The merge
 * is then a plain set-based comparison.
 */
export type RowResult = { ok: true; values: unknown[] } | { ok: false; errors: CellError[] };

export function prepareRow(
  spec: EntitySpec,
  schema: z.ZodType<ParsedRow>,
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
  const errors: CellError[] = [];
  const values = spec.stage(parsed.data, items, refs, errors);
  return errors.length || !values ? { ok: false, errors } : { ok: true, values };
}

