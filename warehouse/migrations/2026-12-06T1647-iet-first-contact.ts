import { sql, type Kysely } from 'kysely';

/**
 * The IET rule of round 2 (docs/metrics.md "Attendance and engagement"): initiation is an
 * attended session on days 0–13 counted from the first contact (else the admission), where
 * round 1 counted days 0–14 from the admission, and engagement counts distinct days. The
 * schema does not change, but `episode_outcomes` (`initiation_on`, `engaged`,
 * `iet_initiated`, `iet_engaged`) and the track-day rollups summing them were built under
 * the old rule: this marks the models stale, so metrics read the facts until `migrate`
 * rebuilds the models (warehouse/db.ts, REBUILDS_MODELS).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

/** Nothing to undo: the models are derived data, rebuilt by the next refresh. */
export async function down(): Promise<void> {}
