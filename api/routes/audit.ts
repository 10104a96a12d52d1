import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listAuditRows } from '../../warehouse/audit/list';
import { AUTH_ERRORS } from '../schemas/common';

const AuditRowSchema = z.strictObject({
  audit_id: z.number(), at: z.string(),
  channel: z.enum(['api', 'cli']).describe('api: a request; cli: a command that printed patient-level rows (user = the OS user, status = 0)'),
  user: z.string().nullable(), route: z.string(),
  params: z.unknown(), status: z.number().describe('HTTP status sent; 499 when the client closed the connection first'),
  request_id: z.string().nullable(),
  chain_seq: z.number().describe('position in the hash chain (docs/security.md "Audit guarantees"; `iop audit verify` checks it)'),
}).meta({ id: 'AuditRow' });

const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('audit_id cursor: rows older than this one'),
  user: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'must be a username').optional(),
});

/** `GET /api/v1/audit` (admin only): the audit trail, newest first, paged by audit_id; the hashes stay in the table. */
const auditRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/api/v1/audit', {
    config: { access: 'admin' },
    schema: { tags: ['admin'], summary: 'Audit log of /api/v1 requests (HIPAA §164.312(b))', security: [{ bearer: [] }, { session: [] }], querystring: AuditQuery, response: { 200: z.array(AuditRowSchema), ...AUTH_ERRORS } },
  }, async (request) => {
    const rows = await listAuditRows(fastify.wh.db, request.query);
    return rows.map((r) => ({ ...r, channel: r.channel === 'cli' ? 'cli' as const : 'api' as const, audit_id: Number(r.audit_id), chain_seq: Number(r.chain_seq), at: new Date(r.at).toISOString() }));
  });
};
export default auditRoutes;
