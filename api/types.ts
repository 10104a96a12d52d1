import type { Config } from '../warehouse/config';
import type { Warehouse } from '../warehouse/db';
import type { Access } from './auth/scope';
import type { AuthUser } from './auth/users';
import type { MetricCache } from './cache/metric-cache';

/** The decorators the app plugins add (docs/conventions.md: shared things are decorators). */
declare module 'fastify' {
  interface FastifyInstance {
    wh: Warehouse;
    config: Config;
    metricCache: MetricCache;
    /** Resolves when every audit row of an answered request is written. */
    auditFlush(): Promise<void>;
    /** Drops a token from the auth cache (sign-out). */
    forgetToken(token: string): void;
  }
  interface FastifyRequest {
    user: AuthUser | null;
    /** Set by routes that must keep a value out of the audit log's params (a password, a username guess). */
    auditParams: Record<string, unknown> | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route; `public` needs no credentials. Default: any signed-in user. */
    access?: Access | 'public';
  }
}

export {};
