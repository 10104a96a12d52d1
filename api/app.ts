import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../warehouse/config';
import type { Warehouse } from '../warehouse/db';
import { MetricCache } from './cache/metric-cache';
import { registerErrorHandlers } from './errors';
import { auditPlugin } from './plugins/audit';
import { authPlugin } from './plugins/auth';
import { dashboardPlugin } from './plugins/dashboard';
import { dbPlugin } from './plugins/db';
import { externalPlugins } from './plugins/external';
import { paramsPlugin } from './plugins/params';
import auditRoutes from './routes/audit';
import catalogRoutes from './routes/catalog';
import compareRoutes from './routes/compare';
import exportRoutes from './routes/exports';
import measureRoutes from './routes/measures';
import healthRoutes from './routes/health';
import ingestRoutes from './routes/ingest';
import lineageRoutes from './routes/lineage';
import jobRoutes from './routes/jobs';
import meRoutes from './routes/me';
import metricRoutes from './routes/metrics';
import qualityRoutes from './routes/quality';
import reportRoutes from './routes/report';
import sessionRoutes from './routes/session';
import spcRoutes from './routes/spc';
import './types';

export interface AppOptions {
  wh: Warehouse;
  config: Config;
  /** The built dashboard (default: dashboard/dist of this checkout). */
  dashboardDir?: string;
  /** Requests per IP per minute (default 1000); false turns the global limit off. */
  rateLimitPerMinute?: number | false;
  /** Sign-in attempts per IP per minute (default 10). */
  loginPerMinute?: number;
  /** Session cookie lifetime in seconds (default 8 h). */
  sessionTtlSeconds?: number;
  /** Largest ingest body in bytes (default: config.ingestMaxBytes, IOP_INGEST_MAX_BYTES). */
  ingestBodyLimit?: number;
  /** Longest a cached metric response is served (default 60 s; a batch invalidates at once). */
  cacheMaxAgeMs?: number;
  /** How long a resolved token is trusted without a lookup (default 5 s; 0 = every request). */
  userCacheMs?: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const API_VERSION = '0.1.0';

/**
 * The API as a fastify plugin (docs/conventions.md; api/README.md). Layers: external
 * plugins → app plugins (db, auth, audit, cache) → routes. Only api/server.ts listens;
 * tests register this and call `inject()`.
 */
export async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(fastify);

  await externalPlugins(fastify, { rateLimitPerMinute: opts.rateLimitPerMinute ?? 1000, version: API_VERSION });

  dbPlugin(fastify, opts);
  fastify.decorate('metricCache', new MetricCache(opts.wh.db, { maxAgeMs: opts.cacheMaxAgeMs }));
  authPlugin(fastify, { userCacheMs: opts.userCacheMs ?? 5000 });
  paramsPlugin(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Responses carry patient-level rows and per-user answers: no cache may keep them (issue 20).
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
  // The last root onSend hook, so the status it audits is the one sent (api/plugins/audit.ts).
  auditPlugin(fastify);

  const routes = fastify.withTypeProvider<ZodTypeProvider>();
  await routes.register(healthRoutes);
  await routes.register(sessionRoutes, { ttlSeconds: opts.sessionTtlSeconds ?? 8 * 3600, loginPerMinute: opts.loginPerMinute ?? 10 });
  await routes.register(meRoutes);
  await routes.register(catalogRoutes);
  await routes.register(metricRoutes);
  await routes.register(spcRoutes);
  await routes.register(compareRoutes);
  await routes.register(measureRoutes);
  await routes.register(reportRoutes);
  await routes.register(lineageRoutes);
  await routes.register(jobRoutes);
  await routes.register(qualityRoutes);
  await routes.register(auditRoutes);
  await routes.register(exportRoutes);
  await routes.register(ingestRoutes, {
    maxBytes: opts.ingestBodyLimit ?? opts.config.ingestMaxBytes,
    stallMs: opts.config.ingestStallMs,
  });
  routes.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => fastify.swagger());

  await dashboardPlugin(fastify, opts.dashboardDir ?? path.join(ROOT, 'dashboard', 'dist'));
}

// Registered without encapsulation (what fastify-plugin does), so the server that
// registers the app sees its decorators: `auditFlush`, `metricCache` for tests and the bench.
Object.assign(app, { [Symbol.for('skip-override')]: true });
