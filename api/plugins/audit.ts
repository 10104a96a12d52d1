import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Json } from '../../warehouse/db-types';

/**
 * The audit trail of HIPAA §164.312(b) ("record and examine activity"): every /api/v1
 * request, allowed or not, becomes one `audit_log` row in `onResponse`, after the
 * client has its answer. Params are the query and path parameters, bounded in size;
 * bodies are never logged, and keys that look like secrets are dropped.
 */
const SECRET_KEY = /pass|token|secret|auth|cookie/i;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_KEYS = 40;
const MAX_ROUTE = 500;

function bounded(value: unknown, depth = 0): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} chars)` : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (depth > 2) return '…';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  if (typeof value === 'object') return boundedObject(value as Record<string, unknown>, depth + 1);
  return String(value);
}

function boundedObject(obj: Record<string, unknown>, depth = 0): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(obj).slice(0, MAX_KEYS)) {
    if (SECRET_KEY.test(k)) continue;
    out[k.slice(0, MAX_STRING)] = bounded(v, depth);
  }
  return out;
}

/** The query as the client sent it (repeated keys as arrays), not as validated: that is what was asked. */
function rawQuery(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const at = url.indexOf('?');
  if (at < 0) return out;
  for (const [k, v] of new URLSearchParams(url.slice(at + 1))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function auditParams(request: FastifyRequest): { [k: string]: Json } {
  const query = rawQuery(request.url);
  const params = typeof request.params === 'object' && request.params !== null ? (request.params as Record<string, unknown>) : {};
  return boundedObject({ ...query, ...params, ...(request.auditParams ?? {}) });
}

function isApiRequest(url: string): boolean {
  return url === '/api/v1' || url.startsWith('/api/v1/') || url.startsWith('/api/v1?');
}

type AuditRow = { user: string | null; route: string; params: string; status: number; request_id: string };

function auditRow(request: FastifyRequest, status: number): AuditRow {
  const route = (request.url.split('?')[0] ?? '').slice(0, MAX_ROUTE);
  return {
    user: request.user?.username ?? null,
    route: `${request.method} ${route}`,
    params: JSON.stringify(auditParams(request)),
    status,
    request_id: request.id,
  };
}

const BATCH_ROWS = 200;
const BATCH_MS = 20;

/**
 * Rows are written after the reply, off the request's latency, in small multi-row
 * inserts (at most 20 ms or 200 rows apart), so a burst costs a few inserts instead of
 * one per request. `fastify.auditFlush()` writes what is queued and waits for writes in
 * flight; closing the server does the same, so no row is lost on a clean shutdown.
 */
export function auditPlugin(fastify: FastifyInstance): void {
  let queue: AuditRow[] = [];
  let timer: NodeJS.Timeout | null = null;
  const writing = new Set<Promise<void>>();

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (queue.length === 0) return;
    const rows = queue;
    queue = [];
    const write = fastify.wh.db.insertInto('audit_log').values(rows).execute()
      .then(() => undefined)
      .catch((err: unknown) => fastify.log.error({ err, rows: rows.length }, 'audit_log write failed'))
      .finally(() => writing.delete(write));
    writing.add(write);
  };
  const drain = async (): Promise<void> => {
    flush();
    await Promise.all([...writing]);
  };

  fastify.decorate('auditFlush', drain);
  fastify.addHook('onClose', drain);
  fastify.addHook('onResponse', async (request, reply) => {
    if (!isApiRequest(request.url)) return;
    queue.push(auditRow(request, reply.statusCode));
    if (queue.length >= BATCH_ROWS) flush();
    else timer ??= setTimeout(flush, BATCH_MS);
  });
}
