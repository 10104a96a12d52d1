import type { Kysely } from 'kysely';
import type { DB } from '../db-types';

export interface AuditQuery {
  limit: number;
  /** audit_id cursor: only rows older than this one. */
  before?: number;
  user?: string;
}

/** The audit trail, newest first, paged by audit_id (`GET /api/v1/audit`); the hashes stay in the table. */
export async function listAuditRows(db: Kysely<DB>, q: AuditQuery) {
  let query = db.selectFrom('audit_log')
    .select(['audit_id', 'at', 'channel', 'user', 'route', 'params', 'status', 'request_id', 'chain_seq'])
    .orderBy('audit_id', 'desc').limit(q.limit);
  if (q.before !== undefined) query = query.where('audit_id', '<', q.before);
  if (q.user !== undefined) query = query.where('user', '=', q.user);
  return query.execute();
}
