import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export interface ExternalOptions {
  /** Requests per IP per minute across the API; false turns the limit off (a bench, a trusted proxy). */
  rateLimitPerMinute: number | false;
  version: string;
}

/**
 * The external layer (docs/conventions.md): security headers, rate limiting, cookies
 * and the OpenAPI document generated from the routes' zod schemas.
 * The CSP allows only same-origin scripts, so both the dashboard bundle and Swagger UI
 * (which loads its scripts from /docs/static) run and nothing else does; inline styles
 * are allowed because Plot and Swagger UI set style attributes. No
 * upgrade-insecure-requests: `iop serve` on http://127.0.0.1 must keep working.
 */
export async function externalPlugins(fastify: FastifyInstance, opts: ExternalOptions): Promise<void> {
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await fastify.register(rateLimit, opts.rateLimitPerMinute === false
    ? { global: false }
    : { global: true, max: opts.rateLimitPerMinute, timeWindow: '1 minute' });
  await fastify.register(cookie);
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'IOP Outcomes API',
        description: 'Outcome metrics of Intensive Outpatient Programs (routes and roles: api/README.md; definitions: docs/metrics.md). Authenticate with `Authorization: Bearer <token>` (`iop users add`) or the session cookie of `POST /api/v1/session`.',
        version: opts.version,
        license: { name: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token printed once by `iop users add`' },
          session: { type: 'apiKey', in: 'cookie', name: 'iop_session', description: 'Set by POST /api/v1/session' },
        },
      },
      tags: [
        { name: 'metrics', description: 'Outcome metrics (docs/metrics.md) and the program report' },
        { name: 'catalog', description: 'Tracks and instruments' },
        { name: 'lineage', description: 'Batches, rejected rows, data quality (admin, analyst)' },
        { name: 'admin', description: 'Ingest and audit (admin)' },
        { name: 'auth', description: 'Sign-in and the current user' },
        { name: 'system', description: 'Health' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null, deepLinking: false }, staticCSP: false });
}
