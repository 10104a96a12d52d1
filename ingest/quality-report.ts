import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../warehouse/db-types';
import { ENTITIES, ENTITY_NAMES, LINKED_ENTITIES, type LinkedTable } from './entities';

/**
 * The data-quality report (api/README.md `/api/v1/quality`; its zod schema is the API's
 * response contract): what a QI analyst checks
 * before trusting a metric. Rows that link to no episode and episodes without any
 * attendance are excluded from, or bias, the episode metrics (docs/warehouse.md "Episode
 * linking"); open episodes idle for more than 30 days are the ones docs/metrics.md counts
 * as lost to follow-up; rejected rows and duplicate keys come from the lineage.
 */
export const QualityReportSchema = z.strictObject({
  as_of: z.string(),
  entities: z.array(z.strictObject({ entity: z.string(), table: z.string(), rows: z.number() })),
  batches: z.strictObject({ total: z.number(), committed: z.number(), duplicate: z.number(), failed: z.number(), running: z.number() }),
  rejected_by_batch: z.array(z.strictObject({
    batch_id: z.string(), entity: z.string(), source_name: z.string(), started_at: z.string(), rows_read: z.number(), rejected: z.number(),
  })),
  failed_batches: z.array(z.strictObject({ batch_id: z.string(), entity: z.string(), source_name: z.string(), started_at: z.string(), error: z.string().nullable() })),
  batch_warnings: z.array(z.strictObject({ batch_id: z.string(), entity: z.string(), source_name: z.string(), warning: z.string() })),
  corrections: z.array(z.strictObject({ entity: z.string(), rows: z.number() })),
  unlinked: z.strictObject({ assessments: z.number(), abstinence_tests: z.number(), followups: z.number() }),
  episodes_without_attendance: z.number(),
  open_episodes_inactive_30d: z.number(),
  episodes_not_refreshed: z.number(),
}).meta({ id: 'QualityReport' });
export type QualityReport = z.infer<typeof QualityReportSchema>;

/** The report names the unlinked rows of each linked entity's table: a new linked entity needs its field here. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _unlinkedNamesEveryLinkedTable: Same<keyof QualityReport['unlinked'], LinkedTable> = true;

const iso = (d: Date | string) => new Date(d).toISOString();

async function entityCounts(db: Kysely<DB>): Promise<QualityReport['entities']> {
  const parts = ENTITY_NAMES.map((entity) => ENTITIES[entity]).map(({ name: entity, table }) => sql`select ${entity}::text as entity, ${table}::text as "table", count(*)::bigint as rows from ${sql.table(table)}`);
  const { rows } = await sql<{ entity: string; table: string; rows: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  // A union of counts comes back in plan order (a parallel append reorders it): list the entities in load order.
  const order = (e: string) => (ENTITY_NAMES as readonly string[]).indexOf(e);
  return rows.map((r) => ({ entity: r.entity, table: r.table, rows: Number(r.rows) })).sort((a, b) => order(a.entity) - order(b.entity));
}

async function batchStats(db: Kysely<DB>): Promise<Pick<QualityReport, 'batches' | 'rejected_by_batch' | 'failed_batches' | 'batch_warnings'>> {
  const rows = await db.selectFrom('ingest_batches')
    .select(['batch_id', 'entity', 'source_name', 'started_at', 'status', 'rows_read', 'rejected', 'warnings', 'error'])
    .orderBy('started_at').orderBy('batch_id').execute();
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  return {
    batches: { total: rows.length, committed: count('committed'), duplicate: count('duplicate'), failed: count('failed'), running: count('running') },
    rejected_by_batch: rows.filter((r) => r.rejected > 0).map((r) => ({
      batch_id: r.batch_id, entity: r.entity, source_name: r.source_name, started_at: iso(r.started_at), rows_read: r.rows_read, rejected: r.rejected,
    })),
    failed_batches: rows.filter((r) => r.status === 'failed').map((r) => ({
      batch_id: r.batch_id, entity: r.entity, source_name: r.source_name, started_at: iso(r.started_at), error: r.error,
    })),
    batch_warnings: rows.flatMap((r) => (Array.isArray(r.warnings) ? r.warnings : []).map((w) => ({
      batch_id: r.batch_id, entity: r.entity, source_name: r.source_name, warning: String(w),
    }))),
  };
}

async function episodeChecks(db: Kysely<DB>, asOf: string): Promise<Pick<QualityReport, 'unlinked' | 'episodes_without_attendance' | 'open_episodes_inactive_30d' | 'episodes_not_refreshed'>> {
  const unlinked = LINKED_ENTITIES.map(({ table }) => sql`(select count(*) from ${sql.table(table)} where episode_id is null)::bigint as ${sql.ref(`unlinked_${table}`)}`);
  const { rows } = await sql<Record<`unlinked_${LinkedTable}`, number> & { no_attendance: number; inactive: number; not_refreshed: number }>`
    select
      ${sql.join(unlinked)},
      (select count(*) from episodes e where not exists (select 1 from attendance a where a.episode_id = e.episode_id))::bigint as no_attendance,
      (select count(*) from episodes e
        where e.discharged_on is null and e.admitted_on <= ${asOf}::date
          and coalesce((select max(a.session_date) from attendance a where a.episode_id = e.episode_id and a.status = 'attended'), e.admitted_on)
              < ${asOf}::date - 30)::bigint as inactive,
      (select count(*) from episodes e where not exists (select 1 from episode_outcomes o where o.episode_id = e.episode_id))::bigint as not_refreshed
  `.execute(db);
  const r = rows[0];
  return {
    unlinked: { assessments: Number(r?.unlinked_assessments ?? 0), abstinence_tests: Number(r?.unlinked_abstinence_tests ?? 0), followups: Number(r?.unlinked_followups ?? 0) },
    episodes_without_attendance: Number(r?.no_attendance ?? 0),
    open_episodes_inactive_30d: Number(r?.inactive ?? 0),
    episodes_not_refreshed: Number(r?.not_refreshed ?? 0),
  };
}

async function correctionCounts(db: Kysely<DB>): Promise<QualityReport['corrections']> {
  const rows = await db.selectFrom('corrections').select(['entity', (eb) => eb.fn.countAll<number>().as('rows')]).groupBy('entity').orderBy('entity').execute();
  return rows.map((r) => ({ entity: r.entity, rows: Number(r.rows) }));
}

export async function qualityReport(db: Kysely<DB>, asOf: string): Promise<QualityReport> {
  const [entities, batches, episodes, corrections] = await Promise.all([entityCounts(db), batchStats(db), episodeChecks(db, asOf), correctionCounts(db)]);
  return { as_of: asOf, entities, ...batches, corrections, ...episodes };
}
