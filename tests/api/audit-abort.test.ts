import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { seedProgram } from './seed';
import { useTestDatabase } from '../harness/database';
import { createTestUsers, testApp, type TestUsers } from './helpers';

// Issue 20 item 1: a request the client aborts (closes the socket before the answer) was
// never audited. It must leave exactly one row, like any other request.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
let port: number;

beforeAll(async () => {
  await seedProgram(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterAll(async () => app?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the head and part of a body, waits until the server is busy with it, then closes the socket. */
async function abortAfterPartialBody(head: string, partial: string): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(head + partial);
  await sleep(300);
  socket.destroy();
}

async function rowsFor(route: string): Promise<{ status: number; user: string | null }[]> {
  return t.wh.db.selectFrom('audit_log').select(['status', 'user']).where('route', '=', route).execute();
}

/** Waits until at least one row for the route exists, then a little longer to catch a second. */
async function settledRows(route: string): Promise<{ status: number; user: string | null }[]> {
  for (let i = 0; i < 50 && (await rowsFor(route)).length === 0; i++) await sleep(100);
  await sleep(500);
  await app.auditFlush();
  return rowsFor(route);
}

describe('aborted requests', () => {
  it('audits a sign-in whose body never finishes exactly once, as 499', async () => {
    await abortAfterPartialBody(
      'POST /api/v1/session?abort=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n',
      '{"username":"ada","pass',
    );
    expect(await settledRows('POST /api/v1/session')).toEqual([{ status: 499, user: null }]);
  });

  it('audits a read the client gives up on while it waits for the database exactly once, though the handler answers later', async () => {
    // The route's query waits on this lock; the client leaves meanwhile; then the lock goes and the handler sends.
    const locker = await t.wh.pool.connect();
    try {
      await locker.query('begin; lock table tracks in access exclusive mode');
      const socket = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.write(`GET /api/v1/tracks HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${users.analyst}\r\n\r\n`);
      await sleep(400);
      socket.destroy();
      await sleep(200);
    } finally {
      await locker.query('rollback');
      locker.release();
    }
    expect(await settledRows('GET /api/v1/tracks')).toEqual([{ status: 499, user: 'ann' }]);
  });

  it('audits an ingest upload the client abandons mid-stream exactly once, with its user', async () => {
    await abortAfterPartialBody(
      `POST /api/v1/ingest/tracks HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${users.admin}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n`,
      '1f\r\ntrack_code,name\r\nABORT1,Aborted\r\n',
    );
    expect(await settledRows('POST /api/v1/ingest/tracks')).toEqual([{ status: 499, user: 'ada' }]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tracks where track_code = 'ABORT1'`.execute(t.wh.db);
    expect(rows[0]?.n).toBe(0);
  });
});
