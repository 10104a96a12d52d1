import type { FastifyInstance } from 'fastify';
import type { Config } from '../../warehouse/config';
import type { Warehouse } from '../../warehouse/db';

/**
 * The warehouse and config as decorators. The app does not own the pool: whoever
 * opened the warehouse (`serve`, `demo`, a test) closes it.
 */
export function dbPlugin(fastify: FastifyInstance, opts: { wh: Warehouse; config: Config }): void {
  fastify.decorate('wh', opts.wh);
  fastify.decorate('config', opts.config);
}
