import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IOP Outcomes</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>IOP Outcomes</h1>
<p>The API is running. The dashboard has not been built yet: run <code>npx vite build dashboard</code>.</p>
<p><a href="/docs">API documentation (Swagger UI)</a> · <a href="/openapi.json">OpenAPI document</a> · <a href="/api/health">Health</a></p>
</body></html>`;

/**
 * The dashboard (vite build in `dashboard/dist`) at `/`, or a placeholder page that
 * links to the docs when it has not been built.
 */
export async function dashboardPlugin(fastify: FastifyInstance, dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'index.html'))) {
    await fastify.register(fastifyStatic, { root: path.resolve(dir), prefix: '/', decorateReply: false, index: ['index.html'], wildcard: true });
    return;
  }
  fastify.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
}
