import { sql, type Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import type { EntityName } from './entities';
import { ENTITIES } from './entities';
import { STAGING_COLUMNS } from './rows';

/**
 * The set-based merge of a staged batch into its table by natural key (DESIGN.md §4):
 * the later of two rows with one key wins; new keys are inserted; changed rows are
 * updated and the old and new values recorded in `corrections`; identical rows are
 * left alone. Everything runs inside the batch's transaction.
 */
export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  duplicateKeys: number;
}

const TABLE: Record<EntityName, string> = {
  tracks: 'tracks', instruments: 'instruments', patients: 'patients', episodes: 'episodes',
  attendance: 'attendance', assessments: 'assessments', abstinence: 'abstinence_tests',
};

export function targetTable(entity: EntityName): string {
  return TABLE[entity];
}

export async function createStaging(db: Kysely<DB>, entity: EntityName): Promise<void> {
  const cols = STAGING_COLUMNS[entity].map((c) => sql.ref(c));
  await sql`create temp table stg on commit drop as select ${sql.join(cols)} from ${sql.table(TABLE[entity])} with no data`.execute(db);
  await sql`alter table stg add column line integer not null`.execute(db);
}

export async function mergeStaging(db: Kysely<DB>, entity: EntityName, batchId: string): Promise<MergeCounts> {
  const table = sql.table(TABLE[entity]);
  const key = ENTITIES[entity].key;
  const cols = STAGING_COLUMNS[entity];
  const keyMatch = sql.join(key.map((k) => sql`t.${sql.ref(k)} = s.${sql.ref(k)}`), sql` and `);
  const differs = sql`(${sql.join(cols.map((c) => sql`t.${sql.ref(c)}`))}) is distinct from (${sql.join(cols.map((c) => sql`s.${sql.ref(c)}`))})`;
  const json = (alias: string) => sql`jsonb_build_object(${sql.join(cols.map((c) => sql`${c}::text, ${sql.raw(alias)}.${sql.ref(c)}`))})`;
  const naturalKey = sql`concat_ws('|', ${sql.join(key.map((k) => sql`s.${sql.ref(k)}::text`))})`;

  const dedup = await sql`
    delete from stg using (
      select line, row_number() over (partition by ${sql.join(key.map((k) => sql.ref(k)))} order by line desc) as rn from stg
    ) r where stg.line = r.line and r.rn > 1`.execute(db);
  await sql`analyze stg`.execute(db);

  await sql`
    insert into corrections (entity, natural_key, old, new, batch_id)
    select ${entity}, ${naturalKey}, ${json('t')}, ${json('s')}, ${batchId}::uuid
    from stg s join ${table} t on ${keyMatch} where ${differs}`.execute(db);

  const updated = await sql`
    update ${table} t set ${sql.join(cols.map((c) => sql`${sql.ref(c)} = s.${sql.ref(c)}`))}, batch_id = ${batchId}::uuid
    from stg s where ${keyMatch} and ${differs}`.execute(db);

  const inserted = await sql`
    insert into ${table} (${sql.join(cols.map((c) => sql.ref(c)))}, batch_id)
    select ${sql.join(cols.map((c) => sql`s.${sql.ref(c)}`))}, ${batchId}::uuid from stg s
    where not exists (select 1 from ${table} t where ${keyMatch})`.execute(db);

  const staged = await sql<{ n: number }>`select count(*)::int as n from stg`.execute(db);
  const ins = Number(inserted.numAffectedRows ?? 0);
  const upd = Number(updated.numAffectedRows ?? 0);
  return {
    inserted: ins,
    updated: upd,
    unchanged: (staged.rows[0]?.n ?? 0) - ins - upd,
    duplicateKeys: Number(dedup.numAffectedRows ?? 0),
  };
}
