import { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditWriter, writeAudit, type AuditEntry } from '../../warehouse/audit/write';
import { errorHandler, internalErrorBody } from '../errors';

/**
 * The audit trail of HIPAA §164.312(b) ("record and examine activity"), with the
 * guarantees of docs/security.md "Audit guarantees": every /api/v1 request, allowed,
 * denied, malformed or aborted, leaves exactly one `audit_log` row, and the row is
 * committed before the response is sent (an awaited `onSend` hook). A request whose row
 * cannot be written is answered 500 with its request id instead of its result. A
 * request the client aborts is written with status 499 when fastify sees the socket
 * close. Params are the query and path parameters (plus what a route puts in
 * `request.auditParams`), bounded and made storable by warehouse/audit/storable.ts;
 * bodies are never logged.
 */

/** nginx's "client closed request": the client closed the connection before the answer. */
export const CLIENT_CLOSED = 499;

function isApiRequest(url: string): boolean {
  return url === '/api/v1' || url.startsWith('/api/v1/') || url.startsWith('/api/v1?');
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

export function auditParams(request: FastifyRequest): Record<string, unknown> {
  const params = typeof request.params === 'object' && request.params !== null ? (request.params as Record<string, unknown>) : {};
  return { ...rawQuery(request.url), ...params, ...(request.auditParams ?? {}) };
}

function auditEntry(request: FastifyRequest, status: number): AuditEntry {
  return {
    channel: 'api',
    user: request.user?.username ?? null,
    route: `${request.method} ${request.url.split('?')[0] ?? ''}`,
    params: auditParams(request),
    status,
    request_id: request.id,
  };
}

/** Replaces the answer by a 500: its body, cookie and download must not leave without their audit row. */
function failedAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): string {
  if (payload instanceof Readable) payload.destroy();
  for (const header of ['set-cookie', 'content-disposition', 'content-length', 'etag', 'last-modified', 'location']) reply.removeHeader(header);
  reply.code(500).type('application/json; charset=utf-8');
  return JSON.stringify(internalErrorBody(request.id));
}

/**
 * One row per request: whichever of `onSend` and `onRequestAbort` comes first writes it,
 * the other sees the request in `audited` and writes nothing. Rows go through one
 * group-committing writer per server (warehouse/audit/write.ts), each request awaiting
 * its own row's commit.
 */
export function auditPlugin(fastify: FastifyInstance): void {
  const writer = new AuditWriter(fastify.wh.db);
  const audited = new WeakSet<FastifyRequest>();
  const drain = () => writer.drain();

  fastify.decorate('auditFlush', drain);
  fastify.addHook('onClose', drain);

  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!isApiRequest(request.url) || audited.has(request)) return payload;
    audited.add(request);
    try {
      await writer.write(auditEntry(request, reply.statusCode));
      return payload;
    } catch (err) {
      request.log.error({ err, status: reply.statusCode }, 'audit_log write failed: the request is answered 500');
      return failedAnswer(request, reply, payload);
    }
  });

  // No reply waits for this row; `auditFlush` and close do.
  fastify.addHook('onRequestAbort', async (request) => {
    if (!isApiRequest(request.url) || audited.has(request)) return;
    audited.add(request);
    try {
      await writer.write(auditEntry(request, CLIENT_CLOSED));
    } catch (err) {
      request.log.error({ err }, 'audit_log write of an aborted request failed');
    }
  });
}

/**
 * fastify's `frameworkErrors` (a URL it cannot decode, a path parameter too long): these
 * answers bypass the hooks, so the row is written here, then the usual error contract
 * (api/errors.ts) answers.
 */
export async function auditedFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-request-id', request.id).header('cache-control', 'no-store');
  if (isApiRequest(request.url)) {
    try {
      await writeAudit(request.server.wh.db, auditEntry(request, error.statusCode ?? 400));
    } catch (err) {
      request.log.error({ err }, 'audit_log write failed: the request is answered 500');
      reply.code(500).type('application/json; charset=utf-8').send(JSON.stringify(internalErrorBody(request.id)));
      return;
    }
  }
  errorHandler(error, request, reply);
}
