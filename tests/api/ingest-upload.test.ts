import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../warehouse/config';
import { useTestDatabase } from '../harness/database';
import { count, csv, ingestText, seedBasics } from '../ingest/helpers';
import { createTestUsers, testApp, type TestUsers } from './helpers';

/**
 * Uploads over a real socket (fastify `listen` on port 0, not `inject`): a client that
 * sends one row and then stalls must neither hold the ingest lock nor keep its temporary
 * file (issue 20 items 4 and 6).
 */
const t = useTestDatabase();
const STALL_MS = 1000;
const LIMIT = 4096;
let app: FastifyInstance;
let port: number;
let users: TestUsers;

beforeAll(async () => {
  await seedBasics(t.wh);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh, {
    config: loadConfig({ IOP_MIN_CELL: '11', IOP_LOG_LEVEL: 'silent', IOP_INGEST_STALL_MS: String(STALL_MS) }),
    ingestBodyLimit: LIMIT,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(async () => app?.close());
// A failed assertion must not leave a socket open: the server (and a lock it holds) would wait for it.
const open = new Set<net.Socket>();
afterEach(() => {
  for (const s of open) s.destroy();
  open.clear();
});

const ATTENDANCE_HEADER = 'session_id,episode_id,session_date,status,session_type,minutes';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An HTTP/1.1 request written by hand, so a test controls exactly when bytes stop. */
class RawClient {
  readonly socket: net.Socket;
  private data = '';
  private readonly closed: Promise<void>;

  constructor(entity: string, headers: Record<string, string>) {
    this.socket = net.connect(port, '127.0.0.1');
    open.add(this.socket);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => { this.data += d; });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    const head = Object.entries({ host: `127.0.0.1:${port}`, authorization: `Bearer ${users.admin}`, 'content-type': 'text/csv', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`).join('');
    this.socket.write(`POST /api/v1/ingest/${entity} HTTP/1.1\r\n${head}\r\n`);
  }

  chunk(text: string): void {
    this.socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
  }

  end(): void {
    this.socket.write('0\r\n\r\n');
  }

  /** The response once the server has sent it whole (or null if none came in time). */
  async response(timeoutMs: number): Promise<RawResponse | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const parsed = parseResponse(this.data);
      if (parsed) return parsed;
      await sleep(25);
    }
    return null;
  }

  async closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), sleep(ms).then(() => false)]);
  }
}

function parseResponse(raw: string): RawResponse | null {
  const split = raw.indexOf('\r\n\r\n');
  if (split === -1) return null;
  const [statusLine = '', ...lines] = raw.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let body = raw.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let out = '';
    for (;;) {
      const nl = body.indexOf('\r\n');
      if (nl === -1) return null;
      const size = parseInt(body.slice(0, nl), 16);
      if (size === 0) break;
      if (body.length < nl + 2 + size) return null;
      out += body.slice(nl + 2, nl + 2 + size);
      body = body.slice(nl + 2 + size + 2);
    }
    body = out;
  } else if (Buffer.byteLength(body) < Number(headers['content-length'] ?? 0)) {
    return null;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The temporary files this process owns: the ingest folder's entries are named by their process id. */
function ourTempFiles(): string[] {
  const dir = path.join(os.tmpdir(), `iop-ingest-${process.getuid?.() ?? 'user'}`);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(`${process.pid}-`)) : [];
}

async function attendanceRows(): Promise<number> {
  return count(t.wh, 'attendance');
}

describe('a stalled upload', () => {
  it('does not block a concurrent ingest, and is answered 408 after the stall time with nothing applied', async () => {
    const before = await attendanceRows();
    const stalled = new RawClient('attendance', { 'transfer-encoding': 'chunked' });
    stalled.chunk(csv(ATTENDANCE_HEADER, 'S1,E1,2024-01-11,attended,group,180'));
    await sleep(200);

    // What `iop ingest tracks` runs, in process: it must not wait for the stalled socket.
    const started = Date.now();
    const tracks = ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'T9,Weekend OP,op'));
    const outcome = await Promise.race([tracks.then((s) => s.status), sleep(STALL_MS / 2).then(() => 'still waiting')]);
    expect(outcome).toBe('committed');
    expect(Date.now() - started).toBeLessThan(STALL_MS);

    const res = await stalled.response(STALL_MS + 3000);
    expect(res?.status).toBe(408);
    const body = JSON.parse(res?.body ?? '{}') as { error: string };
    expect(body.error).toMatch(/stalled/);
    expect(body.error).toMatch(new RegExp(`after ${Buffer.byteLength(csv(ATTENDANCE_HEADER, 'S1,E1,2024-01-11,attended,group,180'))} bytes`));
    expect(body.error).toMatch(/nothing was applied/);
    // The body was never read to its end: the server closes the connection after answering.
    expect(await stalled.closedWithin(2000)).toBe(true);
    expect(await attendanceRows()).toBe(before);
    expect(ourTempFiles()).toEqual([]);
    stalled.socket.destroy();
  });

  it('keeps its spooled bytes only in a private temporary file while it is being received', async () => {
    const stalled = new RawClient('attendance', { 'transfer-encoding': 'chunked' });
    stalled.chunk(csv(ATTENDANCE_HEADER, 'S2,E1,2024-01-12,attended,group,180'));
    await sleep(200);
    const files = ourTempFiles();
    expect(files).toHaveLength(1);
    const dir = path.join(os.tmpdir(), `iop-ingest-${process.getuid?.() ?? 'user'}`);
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(dir, files[0] ?? '')).mode & 0o077).toBe(0);
    expect((await stalled.response(STALL_MS + 3000))?.status).toBe(408);
    expect(ourTempFiles()).toEqual([]);
    stalled.socket.destroy();
  });
});

describe('an upload', () => {
  it('is applied when it arrives slowly but never stalls, and leaves no temporary file', async () => {
    const client = new RawClient('attendance', { 'transfer-encoding': 'chunked' });
    client.chunk(`${ATTENDANCE_HEADER}\n`);
    for (const [i, day] of ['13', '14', '15'].entries()) {
      await sleep(STALL_MS / 3);
      // The second row names an unknown episode: it is quarantined through the rejects file.
      client.chunk(`S1${day},${i === 1 ? 'E404' : 'E1'},2024-01-${day},attended,group,180\n`);
    }
    client.end();
    const res = await client.response(10_000);
    expect(res?.status, res?.body).toBe(200);
    const summary = JSON.parse(res?.body ?? '{}') as { status: string; inserted: number; rejected: number };
    expect(summary).toMatchObject({ status: 'committed', inserted: 2, rejected: 1 });
    expect(ourTempFiles()).toEqual([]);
    client.socket.destroy();
  });

  it('that fails as a whole answers 400, applies nothing and leaves no temporary file', async () => {
    const before = await attendanceRows();
    const client = new RawClient('attendance', { 'transfer-encoding': 'chunked' });
    client.chunk(`${ATTENDANCE_HEADER}\nS20,E1,2024-01-20,attended,group,180\n`);
    // Bytes that are not UTF-8: the whole file is refused.
    client.socket.write(Buffer.concat([Buffer.from('2\r\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\r\n')]));
    client.end();
    const res = await client.response(10_000);
    expect(res?.status, res?.body).toBe(400);
    expect(res?.body).toMatch(/nothing was applied/);
    expect(await attendanceRows()).toBe(before);
    expect(ourTempFiles()).toEqual([]);
    client.socket.destroy();
  });

  it('that the client aborts applies nothing and leaves no temporary file', async () => {
    const before = await attendanceRows();
    const client = new RawClient('attendance', { 'transfer-encoding': 'chunked' });
    client.chunk(`${ATTENDANCE_HEADER}\nS30,E1,2024-01-22,attended,group,180\n`);
    await sleep(200);
    client.socket.destroy();
    await sleep(300);
    expect(ourTempFiles()).toEqual([]);
    expect(await attendanceRows()).toBe(before);
    // The server is still answering.
    const next = new RawClient('tracks', { 'content-length': String(Buffer.byteLength('track_code,name\nT8,Eight\n')) });
    next.socket.write('track_code,name\nT8,Eight\n');
    expect((await next.response(10_000))?.status).toBe(200);
    next.socket.destroy();
  });
});

describe('an over-limit upload', () => {
  const big = csv(ATTENDANCE_HEADER, ...Array.from({ length: 200 }, (_, i) => `S9${i},E1,2024-01-11,attended,group,180`));

  it('declared by its content-length answers 413 naming the limit, and applies nothing', async () => {
    const before = await attendanceRows();
    const client = new RawClient('attendance', { 'content-length': String(Buffer.byteLength(big)) });
    client.socket.write(big);
    const res = await client.response(10_000);
    expect(res?.status).toBe(413);
    expect((JSON.parse(res?.body ?? '{}') as { error: string }).error).toMatch(new RegExp(`${LIMIT} bytes`));
    expect(await attendanceRows()).toBe(before);
    expect(ourTempFiles()).toEqual([]);
    client.socket.destroy();
  });

  it('sent in chunks answers 413 naming the limit once it passes it, and applies nothing', async () => {
    const before = await attendanceRows();
    const client = new RawClient('attendance', { 'transfer-encoding': 'chunked' });
    client.chunk(big.slice(0, 3000));
    client.chunk(big.slice(3000));
    const res = await client.response(10_000);
    expect(res?.status).toBe(413);
    expect((JSON.parse(res?.body ?? '{}') as { error: string }).error).toMatch(new RegExp(`${LIMIT} bytes`));
    expect(await attendanceRows()).toBe(before);
    expect(ourTempFiles()).toEqual([]);
    client.socket.destroy();
  });
});
