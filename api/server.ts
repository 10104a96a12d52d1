import crypto from 'node:crypto';
import { fastify as createFastify, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { sweepIngestTemp } from '../ingest/temp-files';
import { app, type AppOptions } from './app';
import { auditedFrameworkError } from './plugins/audit';

export interface ServerOptions extends AppOptions {
  /** A pino logger for request logs (the CLI's, on stderr); default: fastify's own at config.logLevel. */
  logger?: Logger | false;
}

/**
 * The fastify instance with the app registered, not listening: request ids are fresh
 * UUIDs (a client's x-request-id is not trusted into the logs) and echoed in the
 * `x-request-id` response header.
 */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const common = {
    genReqId: () => crypto.randomUUID(),
    // Ingest bodies are streamed and bounded by the route; this bounds JSON bodies.
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // A URL fastify cannot decode is answered outside the hooks; it is audited all the same.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      auditedFrameworkError(error, request, reply).catch((err: unknown) => request.log.error({ err }, 'answering a framework error failed'));
    },
  };
  const fastify: FastifyInstance = opts.logger
    ? createFastify({ ...common, loggerInstance: opts.logger as FastifyBaseLogger })
    : createFastify({ ...common, logger: opts.logger === false ? false : { level: opts.config.logLevel } });
  try {
    // Uploads a killed server was receiving are still on disk: remove them before serving.
    sweepIngestTemp();
  } catch (err) {
    // Only ingest needs the folder; it fails with this same message when it is used.
    fastify.log.warn({ err }, 'cannot sweep the temporary ingest folder');
  }
  await fastify.register(app, opts);
  await fastify.ready();
  return fastify;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Builds and listens: the only place the API binds a port (`iop serve`, `iop demo`, the bench). */
export async function startServer(opts: ServerOptions & { port?: number; host?: string }): Promise<RunningServer> {
  const fastify = await buildServer(opts);
  const host = opts.host ?? opts.config.host;
  const address = await fastify.listen({ port: opts.port ?? opts.config.port, host });
  return { url: address, close: () => fastify.close() };
}
