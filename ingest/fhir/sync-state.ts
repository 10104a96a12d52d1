import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';

/** The `_lastUpdated` high-water mark of one resource type of a FHIR source (table fhir_sync_state). */
export async function highWater(db: Kysely<DB>, source: string, resourceType: string): Promise<string | undefined> {
  const row = await db.selectFrom('fhir_sync_state').select('high_water')
    .where('source', '=', source).where('resource_type', '=', resourceType).executeTakeFirst();
  return row?.high_water;
}

export async function saveHighWater(db: Kysely<DB>, source: string, resourceType: string, value: string): Promise<void> {
  await db.insertInto('fhir_sync_state').values({ source, resource_type: resourceType, high_water: value })
    .onConflict((oc) => oc.columns(['source', 'resource_type']).doUpdateSet({ high_water: value, updated_at: sql`now()` }))
    .execute();
}

/** The later of two FHIR instants, keeping the server's own spelling. */
export function later(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(tb)) return a;
  return Number.isNaN(ta) || tb > ta ? b : a;
}
