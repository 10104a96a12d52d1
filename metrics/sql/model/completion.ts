import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import type { LosRow, ReasonCountRow } from '../completion';
import { scopedModel, withoutJit } from './scope';

export interface CompletionModelRows {
  sizes: Map<string, number>;
  reasons: ReasonCountRow[];
  los: LosRow[];
}

/**
 * Group sizes, discharges per reason and length-of-stay quartiles in one scan of the
 * model (the same `percentile_cont` as `lengthOfStay`). `reasons` lists the discharge
 * reasons to count, every value the `episodes` check constraint allows.
 */
export async function completionFromModel(db: Kysely<DB>, f: MetricFilters, reasons: readonly string[]): Promise<CompletionModelRows> {
  const los = sql`s.discharged_on - s.admitted_on`;
  const counts = sql.join(reasons.map((r, i) => sql`count(*) filter (where s.closed and s.discharge_reason = ${r})::int as ${sql.ref(`r${i}`)}`));
  const { rows } = await withoutJit(db, (trx) => sql<Record<string, number | string | null>>`
    select s.grp, count(*)::int as n, count(*) filter (where s.closed)::int as discharged, ${counts},
      percentile_cont(0.5) within group (order by ${los}) filter (where s.closed) as los_median,
      percentile_cont(0.25) within group (order by ${los}) filter (where s.closed) as los_q1,
      percentile_cont(0.75) within group (order by ${los}) filter (where s.closed) as los_q3
    from ${scopedModel(f)}
    group by s.grp`.execute(trx));
  const out: CompletionModelRows = { sizes: new Map(), reasons: [], los: [] };
  for (const row of rows) {
    const grp = String(row.grp);
    out.sizes.set(grp, Number(row.n));
    reasons.forEach((reason, i) => {
      const n = Number(row[`r${i}`] ?? 0);
      if (n > 0) out.reasons.push({ grp, reason, n });
    });
    const discharged = Number(row.discharged);
    if (discharged > 0) out.los.push({ grp, discharged, los_median: num(row.los_median), los_q1: num(row.los_q1), los_q3: num(row.los_q3) });
  }
  return out;
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
