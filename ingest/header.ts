import { MAX_ITEMS, type EntitySpec } from './entities';
import type { Cell } from './fields';
import { FileError } from './csv-source';
import type { Profile } from './profile';

/**
 * Maps a file's header onto canonical columns (docs/formats.md): case-insensitive,
 * trimmed, renamed by the profile; reports unknown columns (ignored, with a warning)
 * and fails the whole file when a required column is missing.
 */
export interface HeaderMap {
  /** Canonical column → field index in each record. */
  index: Map<string, number>;
  /** Item columns (assessments): item number → field index. */
  items: Map<number, number>;
  unknown: string[];
  width: number;
}

const ITEM_RE = /^item_?(\d{1,2})$/;

export function mapHeader(header: string[], spec: EntitySpec, profile: Profile): HeaderMap {
  const rename = new Map(Object.entries(profile.columns).map(([from, to]) => [norm(from), to.toLowerCase()]));
  const known = new Set(spec.columns);
  const index = new Map<string, number>();
  const items = new Map<number, number>();
  const unknown: string[] = [];
  header.forEach((raw, i) => {
    const name = rename.get(norm(raw)) ?? norm(raw);
    const item = spec.itemColumns ? ITEM_RE.exec(name) : null;
    if (item) {
      const n = Number(item[1]);
      if (n >= 1 && n <= MAX_ITEMS && !items.has(n)) {
        items.set(n, i);
        return;
      }
    }
    if (!known.has(name)) {
      if (raw !== '') unknown.push(raw);
      return;
    }
    if (index.has(name)) throw new FileError(`column "${name}" appears twice in the header (fields ${(index.get(name) ?? 0) + 1} and ${i + 1})`);
    index.set(name, i);
  });
  const defaults = new Set(Object.keys(profile.defaults).map((k) => k.toLowerCase()));
  const missing = spec.required.filter((c) => !index.has(c) && !defaults.has(c));
  if (missing.length) {
    throw new FileError(
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for ${spec.name}; ` +
        `the header has: ${header.join(', ') || '(nothing)'}. Expected columns: ${spec.columns.join(', ')}` +
        ' (map other names with --profile)',
    );
  }
  return { index, items, unknown, width: header.length };
}

function norm(h: string): string {
  return h.trim().toLowerCase();
}

/** Builds the cell map of one record: trimmed, empty → null, profile value maps and defaults applied. */
export function cellsOf(fields: string[], map: HeaderMap, spec: EntitySpec, profile: Profile): Record<string, Cell> {
  const cells: Record<string, Cell> = {};
  for (const col of spec.columns) {
    const i = map.index.get(col);
    let v: Cell = i === undefined ? null : (fields[i] ?? '').trim() || null;
    if (v !== null) {
      const vm = profile.values[col];
      if (vm) v = vm[v] ?? lookupInsensitive(vm, v) ?? v;
    }
    if (v === null) v = profile.defaults[col] ?? null;
    cells[col] = v;
  }
  return cells;
}

export function itemsOf(fields: string[], map: HeaderMap): Map<number, string> {
  const out = new Map<number, string>();
  for (const [n, i] of map.items) {
    const v = (fields[i] ?? '').trim();
    if (v !== '') out.set(n, v);
  }
  return out;
}

function lookupInsensitive(m: Record<string, string>, v: string): string | undefined {
  const lower = v.toLowerCase();
  for (const [k, to] of Object.entries(m)) if (k.toLowerCase() === lower) return to;
  return undefined;
}
