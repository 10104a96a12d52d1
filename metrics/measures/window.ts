import { sql, type RawBuilder } from 'kysely';

/**
 * The one window rule of the measures (docs/measures.md "The response"): a measure's
 * `labelled` gives each episode its label as if its window had closed (`closed_label`) and
 * the day its window closes (`open_until`, null when the label cannot change: excluded,
 * decided, or a measure without a window). As of a day before `open_until` the episode
 * is `window_open`; from that day on it has its closed label.
 *
 * Written once, so the label is the same read from the facts (the measure's SQL, as of
 * any day) and from the per-episode measure model (./model.ts), which stores
 * closed_label and open_until as of the latest fact and applies as_of when read.
 */
export const WINDOW_OPEN = 'window_open';

/** `label` from `open_until` and `closed_label` on the row in scope (unqualified columns, or `alias`). */
export function windowLabel(asOf: RawBuilder<unknown>, alias?: string): RawBuilder<string> {
  const col = (c: string) => (alias ? sql.ref(`${alias}.${c}`) : sql.ref(c));
  return sql<string>`case when ${asOf} < ${col('open_until')} then ${sql.lit(WINDOW_OPEN)} else ${col('closed_label')} end`;
}
