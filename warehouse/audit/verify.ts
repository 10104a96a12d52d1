import { sql, type Kysely } from 'kysely';
import type { DB } from '../db-types';

/**
 * Walks the audit log's hash chain (migration 2026-12-06T1421-audit-chain; docs/security.md
 * "Audit guarantees") in chain order and reports the first row that breaks it:
 * - `gap`: its position is not the previous row's + 1 (rows before it were deleted);
 * - `unlinked`: its prev_hash is not the previous row's hash (a row before it was
 *   deleted or rewritten);
 * - `altered`: its fields no longer hash to its row_hash (the row was changed);
 * - `tail`: the chain head names another last row than the one present (rows at the end
 *   were deleted or replaced); the report names the row the head expects.
 * Rows and head are read in one snapshot, so writers may keep appending meanwhile.
 */
export type ChainReport =
  | { ok: true; rows: number; head: { chain_seq: number; audit_id: number | null; hash: string } }
  | { ok: false; rows: number; broken_at: number; chain_seq: number; reason: 'gap' | 'unlinked' | 'altered' | 'tail'; message: string };

interface Broken { audit_id: number; chain_seq: number; in_sequence: boolean; linked: boolean; intact: boolean }
interface Head { last_seq: number; last_audit_id: number | null; last_hash: string; rows: number; max_seq: number | null; max_hash: string | null }

const MESSAGES = {
  gap: 'rows before it are missing (its position does not follow the previous row)',
  unlinked: 'its previous-row hash does not match the row before it (a row before it was deleted or rewritten)',
  altered: 'its fields do not match its hash (the row was changed)',
  tail: 'the chain head names another last row (rows at the end were deleted or replaced)',
} as const;

export async function verifyAuditChain(db: Kysely<DB>): Promise<ChainReport> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const broken = await sql<Broken>`
      select audit_id, chain_seq, in_sequence, linked, intact from (
        select audit_id, chain_seq,
          chain_seq = coalesce(lag(chain_seq) over w, 0) + 1 as in_sequence,
          prev_hash = coalesce(lag(row_hash) over w, decode(repeat('00', 32), 'hex')) as linked,
          row_hash = audit_row_hash(prev_hash, chain_seq, audit_id, at, channel, "user", route, params, status, request_id) as intact
        from audit_log window w as (order by chain_seq)
      ) chain
      where not (in_sequence and linked and intact)
      order by chain_seq limit 1`.execute(trx);
    const head = (await sql<Head>`
      select h.last_seq, h.last_audit_id, encode(h.last_hash, 'hex') as last_hash, a.rows, a.max_seq, encode(l.row_hash, 'hex') as max_hash
      from audit_chain_head h
      cross join (select count(*)::bigint as rows, max(chain_seq) as max_seq from audit_log) a
      left join audit_log l on l.chain_seq = a.max_seq`.execute(trx)).rows[0];
    if (!head) throw new Error('audit_chain_head is missing: the audit chain cannot be verified');
    const first = broken.rows[0];
    if (first) {
      const reason = !first.in_sequence ? 'gap' : !first.linked ? 'unlinked' : 'altered';
      return { ok: false, rows: head.rows, broken_at: first.audit_id, chain_seq: first.chain_seq, reason, message: MESSAGES[reason] };
    }
    const tailIntact = head.rows === 0 ? head.last_seq === 0 : head.max_seq === head.last_seq && head.max_hash === head.last_hash;
    if (!tailIntact) {
      return { ok: false, rows: head.rows, broken_at: head.last_audit_id ?? 0, chain_seq: head.last_seq, reason: 'tail', message: MESSAGES.tail };
    }
    return { ok: true, rows: head.rows, head: { chain_seq: head.last_seq, audit_id: head.last_audit_id, hash: head.last_hash } };
  });
}
