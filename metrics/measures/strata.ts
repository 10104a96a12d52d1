import { sql, type RawBuilder } from 'kysely';
import { UNKNOWN_KEY } from '../sql/scope';
import type { AgeStratum } from './spec';

/**
 * The age stratum of a row whose age at the index date is `age` (docs/measures.md "The
 * response": `strata`), or null::text when the measure has none; the same expression on
 * the facts (./run.ts) and on the measure model (./model.ts).
 */
export function ageStratumExpression(strata: readonly AgeStratum[], age: RawBuilder<number | null>): RawBuilder<string | null> {
  if (strata.length === 0) return sql<null>`null::text`;
  return sql<string>`case when ${age} is null then ${UNKNOWN_KEY} ${sql.join(strata.map((s) => sql`when ${age} >= ${sql.lit(s.from)}${
    s.upTo === null ? sql`` : sql` and ${age} <= ${sql.lit(s.upTo)}`} then ${sql.lit(s.band)}`), sql` `)} end`;
}
