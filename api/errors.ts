import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { issueMessage } from '../metrics/filters';

/**
 * The error contract of api/README.md: every error is JSON `{error, details}`. A bad
 * request is 4xx with the details; a 5xx is generic and its cause goes to the log with
 * the request id (docs/conventions.md, "Errors").
 */
export interface ErrorDetail {
  param?: string;
  value?: unknown;
  message: string;
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: readonly ErrorDetail[] = []) => new HttpError(400, message, details);
export const unauthorized = () => new HttpError(401, 'Authentication required: send Authorization: Bearer <token> or sign in');
export const forbidden = (message = 'Your role does not allow this request') => new HttpError(403, message);

const PARTS: Record<string, string> = { querystring: 'query parameter', params: 'path parameter', body: 'body', headers: 'header' };

function validationDetails(err: FastifyError): ErrorDetail[] {
  if (!hasZodFastifySchemaValidationErrors(err)) return [{ message: err.message }];
  return err.validation.map((v) => {
    const param = v.instancePath.replace(/^\//, '').split('/')[0] ?? '';
    const keys = (v.params as { keys?: unknown }).keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) return { param: keys.join(','), message: 'unknown parameter' };
    // the zod issue, less its code and message, is in `params` (fastify-type-provider-zod)
    return { param, message: issueMessage({ code: v.keyword, message: v.message ?? 'invalid', errors: (v.params as { errors?: unknown }).errors }) };
  });
}

/** The body of every 5xx: generic, with the request id that finds the cause in the log. */
export function internalErrorBody(requestId: string): { error: string; details: [] } {
  return { error: `Internal server error (request ${requestId})`, details: [] };
}

function sendError(reply: FastifyReply, status: number, error: string, details: readonly ErrorDetail[]): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error, details }));
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof HttpError) return sendError(reply, err.statusCode, err.message, err.details);
  if (err.validation) {
    const where = PARTS[err.validationContext ?? ''] ?? 'request';
    return sendError(reply, 400, `Invalid ${where}`, validationDetails(err));
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, unsupported media type, body too large, rate limit).
    return sendError(reply, status, err.message, []);
  }
  request.log.error({ err }, 'request failed');
  return sendError(reply, 500, internalErrorBody(request.id).error, []);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, `No route ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`, []);
}

export function registerErrorHandlers(fastify: FastifyInstance): void {
  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler(notFoundHandler);
}
