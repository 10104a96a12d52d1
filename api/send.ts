import type { FastifyReply } from 'fastify';

/**
 * Sends a body that is already serialized (a cached metric, CSV, HTML). Fastify sends a
 * string with an explicit content type as-is, skipping the response schema's
 * serializer; the type provider's reply type does not model that, hence the widening.
 */
export function sendSerialized(reply: FastifyReply, contentType: string, body: string, filename?: string): FastifyReply {
  reply.type(contentType);
  if (filename) reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply.send(body);
}
