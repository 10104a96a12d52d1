import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { createUser } from '../../api/auth/users';
import { startServer } from '../../api/server';
import { loadConfig } from '../../warehouse/config';
import type { BenchContext } from '../context';

/**
 * Metric endpoints under load (BENCHMARKS.md): 50 connections for 10 s of autocannon on
 * loopback against `startServer` (the code `iop serve` runs), cycling through the five
 * metric families and a few filters. The server's metric cache is warm after the first
 * request per key and is invalidated by ingest, which is how the dashboard uses it.
 * autocannon reports p97.5, not p95; p97.5 ≤ 50 ms implies p95 ≤ 50 ms.
 */
export async function benchApi(ctx: BenchContext): Promise<void> {
  const config = loadConfig({ ...process.env, DATABASE_URL: ctx.url, IOP_LOG_LEVEL: 'warn' });
  const username = `bench-${crypto.randomBytes(3).toString('hex')}`;
  const { token } = await createUser(ctx.wh.db, { username, role: 'analyst', tracks: null, password: null });
  const server = await startServer({ wh: ctx.wh, config, port: 0, host: '127.0.0.1', logger: false, rateLimitPerMinute: false });
  try {
    const paths = ['retention', 'completion', 'attendance', 'symptoms', 'relapse'].flatMap((m) => [
      `/api/v1/metrics/${m}?as_of=${ctx.data.asOf}`,
      `/api/v1/metrics/${m}?as_of=${ctx.data.asOf}&group_by=sex`,
    ]);
    const headers = { authorization: `Bearer ${token}` };
    for (const p of paths) {
      const res = await fetch(`${server.url}${p}`, { headers });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    }
    const r = await autocannon({
      url: server.url, connections: 50, duration: 10, headers,
      requests: paths.map((p) => ({ method: 'GET', path: p })),
    });
    ctx.log(`api: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p97.5 ${r.latency.p97_5} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
    const command = 'autocannon -c 50 -d 10 against /api/v1/metrics/* (bench/stages/api.ts)';
    ctx.record({ measure: 'metric endpoints, 50 connections: p97.5 latency (≥ p95)', value: r.latency.p97_5, unit: 'ms', target: 'p95 ≤ 50 ms', met: r.latency.p97_5 <= 50 && r.non2xx === 0 && r.errors === 0, command });
    ctx.record({ measure: 'metric endpoints, 50 connections: throughput', value: Math.round(r.requests.average), unit: 'req/s', target: '≥ 500 req/s', met: r.requests.average >= 500 && r.non2xx === 0, command });
  } finally {
    await server.close();
  }
}
