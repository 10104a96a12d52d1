import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { boundedText, storableParams, storableText } from '../../warehouse/audit/storable';
import { AuditWriter, type AuditEntry } from '../../warehouse/audit/write';
import { verifyAuditChain } from '../../warehouse/audit/verify';
import { useTestDatabase } from '../harness/database';

// The shared audit writer of the API and the CLI (warehouse/audit/): what it makes of
// unstorable text, and its group commit, which must never let one bad row take others down.
const t = useTestDatabase();

const entry = (status: number, params: Record<string, unknown> = {}): AuditEntry => ({
  channel: 'api', user: 'ada', route: 'GET /api/v1/me', params, status, request_id: `w-${status}-${Math.random()}`,
});

describe('storable text', () => {
  it('escapes NUL and lone surrogates visibly and leaves valid text, pairs included, alone', () => {
    expect(storableText('a\u0000b')).toBe('a\\u0000b');
    expect(storableText('\ud800x')).toBe('\\ud800x');
    expect(storableText('x\udc00')).toBe('x\\udc00');
    expect(storableText('ok 😀 é \ufffd')).toBe('ok 😀 é \ufffd');
  });

  it('marks a cut value with its length, and escapes a pair the cut splits', () => {
    expect(boundedText('y'.repeat(300))).toBe(`${'y'.repeat(200)}…(300 chars)`);
    expect(boundedText(`${'y'.repeat(198)}😀`)).toBe(`${'y'.repeat(198)}😀`);
    expect(boundedText(`${'y'.repeat(199)}😀z`)).toBe(`${'y'.repeat(199)}\\ud83d…(202 chars)`);
  });

  it('drops keys that look like secrets and escapes keys too', () => {
    expect(storableParams({ password: 'p', api_token: 't', 'k\u0000': 'v', n: 3, list: ['a\u0000'] })).toEqual({ 'k\\u0000': 'v', n: 3, list: ['a\\u0000'] });
  });
});

describe('the group-committing writer', () => {
  it('commits concurrent rows in few inserts, every caller resolving after its own row is in', async () => {
    const writer = new AuditWriter(t.wh.db);
    const entries = Array.from({ length: 120 }, (_, i) => entry(200 + (i % 3)));
    await Promise.all(entries.map(async (e) => {
      await writer.write(e);
      const found = await t.wh.db.selectFrom('audit_log').select('audit_id').where('request_id', '=', e.request_id).execute();
      expect(found).toHaveLength(1);
    }));
    expect(await verifyAuditChain(t.wh.db)).toMatchObject({ ok: true });
  });

  it('fails only the row that cannot be written when it shares an insert with others', async () => {
    await sql`alter table audit_log add constraint audit_test_no_418 check (status <> 418) not valid`.execute(t.wh.db);
    try {
      const writer = new AuditWriter(t.wh.db);
      const entries = Array.from({ length: 20 }, (_, i) => entry(i === 7 ? 418 : 200));
      const results = await Promise.allSettled(entries.map((e) => writer.write(e)));
      expect(results.map((r) => r.status)).toEqual(entries.map((e) => (e.status === 418 ? 'rejected' : 'fulfilled')));
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log where request_id = any(${entries.map((e) => e.request_id)})`.execute(t.wh.db);
      expect(rows[0]?.n).toBe(19);
    } finally {
      await sql`alter table audit_log drop constraint audit_test_no_418`.execute(t.wh.db);
    }
    expect(await verifyAuditChain(t.wh.db)).toMatchObject({ ok: true });
  });
});
