import type { Insertable, Kysely } from 'kysely';
import type { AuditLog, DB } from './db-types';

/** The audit trail of /api/v1 requests (api/README.md "Audit"; HIPAA §164.312(b)). */

/** Appends rows to the audit log in one multi-row insert. */
export async function insertAuditRows(db: Kysely<DB>, rows: readonly Insertable<AuditLog>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('audit_log').values([...rows]).execute();
}

export interface AuditQuery {
  limit: number;
  /** audit_id cursor: only rows older than this one. */
  before?: number;
  user?: string;
}

/** The audit trail, newest first, paged by audit_id. */
export async function listAuditRows(db: Kysely<DB>, q: AuditQuery) {
  let query = db.selectFrom('audit_log').select(['audit_id', 'at', 'user', 'route', 'params', 'status', 'request_id']).orderBy('audit_id', 'desc').limit(q.limit);
  if (q.before !== undefined) query = query.where('audit_id', '<', q.before);
  if (q.user !== undefined) query = query.where('user', '=', q.user);
  return query.execute();
}
