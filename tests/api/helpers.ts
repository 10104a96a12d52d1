import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../api/server';
import { createUser } from '../../api/auth/users';
import { loadConfig } from '../../warehouse/config';
import type { Warehouse } from '../../warehouse/db';

export interface TestUsers {
  admin: string;
  analyst: string;
  viewer: string;
  /** A viewer scoped to two tracks. */
  viewer2: string;
}

export const PASSWORD = 'correct horse battery staple';
/** The TEDS-D pseudonym secret of the test app (IOP_EXPORT_SECRET). */
export const EXPORT_SECRET = 'api-test-export-secret-0123456789abcdef';

/** The app with rate limits off (except where a test turns them on), on a test warehouse. */
export async function testApp(wh: Warehouse, overrides: Partial<Parameters<typeof buildServer>[0]> = {}): Promise<FastifyInstance> {
  return buildServer({
    wh, config: loadConfig({ IOP_MIN_CELL: '11', IOP_LOG_LEVEL: 'silent', IOP_EXPORT_SECRET: EXPORT_SECRET }), logger: false,
    rateLimitPerMinute: false, loginPerMinute: 1000, dashboardDir: '/nonexistent', userCacheMs: 0, ...overrides,
  });
}

export async function createTestUsers(wh: Warehouse): Promise<TestUsers> {
  const admin = await createUser(wh.db, { username: 'ada', role: 'admin', tracks: null, password: PASSWORD });
  const analyst = await createUser(wh.db, { username: 'ann', role: 'analyst', tracks: null, password: null });
  const viewer = await createUser(wh.db, { username: 'vic', role: 'viewer', tracks: ['day'], password: PASSWORD });
  const viewer2 = await createUser(wh.db, { username: 'val', role: 'viewer', tracks: ['day', 'evening'], password: null });
  return { admin: admin.token, analyst: analyst.token, viewer: viewer.token, viewer2: viewer2.token };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
