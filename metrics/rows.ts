/** The rows of each group (`grp`), in their order: the shape the families' statistics take a count table in. */
export function bucket<T extends { grp: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.grp);
    if (list) list.push(r);
    else out.set(r.grp, [r]);
  }
  return out;
}
