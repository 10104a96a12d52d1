import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import type { LosRow, ReasonCountRow } from './facts';
import { medianAndIqrOfCounts } from '../stats/quantile';
import { countSource } from '../sql/rollup';
import { modelQuery } from '../sql/model-scope';

export interface CompletionModelRows {
  sizes: Map<string, number>;
  reasons: ReasonCountRow[];
  los: LosRow[];
}

/**
 * Group sizes, discharges per reason and length-of-stay quartiles from one count table
 * of (group, discharged by as_of, reason, length of stay), a few thousand rows, summed
 * from the model's stays (`stay_counts` with `useRollup`: countSource), from
 * which TypeScript adds up the counts and takes the quartiles (R type 7, as
 * `lengthOfStay`'s `percentile_cont`). Ordered-set aggregates in SQL would sort every
 * group and keep the scan from running in parallel.
 * `reasons` lists the discharge reasons to count, every value the `episodes` check
 * constraint allows.
 */
export async function completionFromModel(db: Kysely<DB>, f: MetricFilters, reasons: readonly string[], useRollup: boolean): Promise<CompletionModelRows> {
  const { rows } = await modelQuery(db, (trx) => sql<{ grp: string; closed: boolean; reason: string | null; los: number | null; n: number }>`
    select s.grp, not s.open as closed, case when not s.open then s.reason end as reason,
      case when not s.open then s.los end as los, sum(s.n)::int as n
    from ${countSource(f, 'stay_counts', useRollup)}
    group by 1, 2, 3, 4
    order by 1, 4`.execute(trx));
  const groups = new Map<string, { n: number; reasons: Map<string, number>; stays: Map<number, number> }>();
  for (const row of rows) {
    const grp = String(row.grp);
    let g = groups.get(grp);
    if (!g) groups.set(grp, (g = { n: 0, reasons: new Map(), stays: new Map() }));
    g.n += row.n;
    if (!row.closed) continue;
    if (row.reason !== null) g.reasons.set(row.reason, (g.reasons.get(row.reason) ?? 0) + row.n);
    if (row.los !== null) g.stays.set(row.los, (g.stays.get(row.los) ?? 0) + row.n);
  }
  const out: CompletionModelRows = { sizes: new Map(), reasons: [], los: [] };
  for (const [grp, g] of groups) {
    out.sizes.set(grp, g.n);
    for (const reason of reasons) {
      const n = g.reasons.get(reason) ?? 0;
      if (n > 0) out.reasons.push({ grp, reason, n });
    }
    const stays = [...g.stays].map(([value, n]) => ({ value, n })).sort((a, b) => a.value - b.value);
    const discharged = stays.reduce((s, r) => s + r.n, 0);
    const q = medianAndIqrOfCounts(stays);
    if (discharged > 0) out.los.push({ grp, discharged, los_median: q?.median ?? null, los_q1: q?.q1 ?? null, los_q3: q?.q3 ?? null });
  }
  return out;
}
