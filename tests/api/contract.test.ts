import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { render } from '../../bin/commands/metrics';
import { computeMetric } from '../../metrics/index';
import { parseFilters } from '../../metrics/filters';
import { METRIC_NAMES, type MetricResponse } from '../../metrics/types';
import { METRIC_RESPONSE_SCHEMAS } from '../../metrics/response-schema';
import { useTestDatabase } from '../harness/database';
import { AS_OF, seedProgram } from './seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';
import { SPC_SERIES_NAMES } from '../../metrics/spc/schema';

const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  await seedProgram(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const QUERIES = [`as_of=${AS_OF}`, `as_of=${AS_OF}&group_by=sex`, `as_of=${AS_OF}&group_by=period&period=quarter&min_cell=0`, `as_of=${AS_OF}&track=day&track=evening&from=2025-02-01`];

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split('\r\n');
  const cols = (head ?? '').split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? '', v])));
}

describe('metric bodies', () => {
  it('are byte-identical to `iop metrics --format json`, and hold to the declared strict schema', async () => {
    for (const name of METRIC_NAMES) {
      for (const q of QUERIES) {
        const res = await app.inject({ url: `/api/v1/metrics/${name}?${q}`, headers: bearer(users.analyst) });
        expect(res.statusCode, `${name}?${q}`).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        const parsed = parseFilters(Object.fromEntries(new URLSearchParams(q).entries()));
        if (!parsed.ok) throw new Error(parsed.error.error);
        const filters = { ...parsed.filters, track: new URLSearchParams(q).getAll('track').sort() };
        if (filters.track.length === 0) Object.assign(filters, { track: null });
        const cli = render(await computeMetric(t.wh.db, name, { ...filters, min_cell: null }, { minCell: parsed.filters.min_cell ?? 11 }), 'json');
        expect(res.body, `${name}?${q}`).toBe(cli);
        const check = METRIC_RESPONSE_SCHEMAS[name].safeParse(JSON.parse(res.body));
        expect(check.success, `${name}: ${JSON.stringify(check.error?.issues.slice(0, 3))}`).toBe(true);
      }
    }
  });

  it('give the same numbers as CSV', async () => {
    for (const name of METRIC_NAMES) {
      const json = (await app.inject({ url: `/api/v1/metrics/${name}?as_of=${AS_OF}&min_cell=0`, headers: bearer(users.analyst) })).json() as MetricResponse;
      const res = await app.inject({ url: `/api/v1/metrics/${name}?as_of=${AS_OF}&min_cell=0&format=csv`, headers: bearer(users.analyst) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      const rows = parseCsv(res.body);
      expect(rows.map((r) => r.track)).toEqual(json.groups.map((g) => g.key.track));
      json.groups.forEach((g, i) => {
        const row = rows[i] ?? {};
        const group = g as unknown as Record<string, unknown>;
        let compared = 0;
        const cell = (c: string) => (row[c] === undefined || row[c] === '' ? null : Number(row[c]));
        const compare = (field: string, value: unknown, depth: number): void => {
          if (typeof value === 'number' || value === null) {
            expect(cell(field), `${name} ${field}`).toBe(value);
            compared++;
          } else if (Array.isArray(value) && value.length === 2 && value.every((v) => v === null || typeof v === 'number')) {
            expect([cell(`${field}_lower`), cell(`${field}_upper`)], `${name} ${field}`).toEqual(value);
            compared++;
          } else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 3) {
            for (const [k, v] of Object.entries(value)) compare(`${field}_${k}`, v, depth + 1);
          }
        };
        for (const [field, value] of Object.entries(group)) if (field !== 'key') compare(field, value, 0);
        expect(compared).toBeGreaterThan(0);
      });
    }
  });

  it('are cached per filters and invalidated by a committed ingest batch', async () => {
    const url = `/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0`;
    const first = await app.inject({ url, headers: bearer(users.analyst) });
    const sizeAfterFirst = app.metricCache.size;
    const again = await app.inject({ url: `/api/v1/metrics/completion?min_cell=0&as_of=${AS_OF}`, headers: bearer(users.analyst) });
    expect(again.body).toBe(first.body);
    expect(app.metricCache.size).toBe(sizeAfterFirst);

    const csv = 'patient_id,birth_year,sex\nP9000,1990,female\n';
    const patients = await app.inject({ method: 'POST', url: '/api/v1/ingest/patients?source=contract-test', payload: csv, headers: { ...bearer(users.admin), 'content-type': 'text/csv' } });
    expect(patients.statusCode, patients.body).toBe(200);
    const episodes = 'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason\nE9000,P9000,weekend,2025-03-03,2025-04-01,completed\n';
    const res = await app.inject({ method: 'POST', url: '/api/v1/ingest/episodes', payload: episodes, headers: { ...bearer(users.admin), 'content-type': 'text/csv; charset=utf-8' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ entity: 'episodes', status: 'committed', rows_read: 1, inserted: 1, rejected: 0, errors: [] });

    const after = (await app.inject({ url, headers: bearer(users.analyst) })).json() as MetricResponse<'completion'>;
    const weekend = after.groups.find((g) => g.key.track === 'weekend') as { n: number };
    const before = (first.json() as MetricResponse<'completion'>).groups.find((g) => g.key.track === 'weekend') as { n: number };
    expect(weekend.n).toBe(before.n + 1);

    const dup = await app.inject({ method: 'POST', url: '/api/v1/ingest/episodes', payload: episodes, headers: { ...bearer(users.admin), 'content-type': 'text/csv' } });
    expect(dup.json()).toMatchObject({ status: 'duplicate' });
    const batches = (await app.inject({ url: '/api/v1/batches', headers: bearer(users.analyst) })).json() as { source_name: string }[];
    expect(batches.map((b) => b.source_name)).toEqual(['contract-test', 'api:ada', 'api:ada']);
  });

  it('sees a batch committed by another process (the CLI) through the data version', async () => {
    const url = `/api/v1/metrics/retention?as_of=${AS_OF}&min_cell=0`;
    const before = (await app.inject({ url, headers: bearer(users.analyst) })).json() as MetricResponse<'retention'>;
    await t.wh.db.insertInto('episodes').values({ episode_id: 'E9001', patient_id: 'P9000', track_code: 'weekend', admitted_on: '2025-05-05', discharged_on: null, discharge_reason: null }).execute();
    const { refreshEpisodes } = await import('../../warehouse/models/refresh');
    await refreshEpisodes(t.wh.db, ['E9001'], AS_OF);
    await t.wh.db.insertInto('ingest_batches').values({ batch_id: crypto.randomUUID(), entity: 'episodes', source_name: 'cli', file_sha256: 'x', status: 'committed', finished_at: new Date() }).execute();
    // A data-version read is trusted for 250 ms (api/cache/metric-cache.ts).
    await new Promise((r) => setTimeout(r, 300));
    const after = (await app.inject({ url, headers: bearer(users.analyst) })).json() as MetricResponse<'retention'>;
    const n = (r: MetricResponse<'retention'>) => (r.groups.find((g) => g.key.track === 'weekend') as { n: number }).n;
    expect(n(after)).toBe(n(before) + 1);
  });

  it('answers a whole-file failure with 400 and applies nothing', async () => {
    const count = async () => (await t.wh.db.selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n;
    const before = await count();
    for (const payload of ['', 'birth_year,sex\n1990,female\n', '\u0000\u0001binary']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/ingest/patients', payload, headers: { ...bearer(users.admin), 'content-type': 'text/csv' } });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatch(/nothing was applied/);
    }
    const json = await app.inject({ method: 'POST', url: '/api/v1/ingest/patients', payload: { a: 1 }, headers: bearer(users.admin) });
    expect(json.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });
});

describe('OpenAPI', () => {
  it('is an OpenAPI 3 document that lists every route with its operations', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json() as {
      openapi: string; info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string; in: string }[]; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(ops).toEqual([
      'DELETE /api/v1/session', 'GET /api/health', 'GET /api/v1/audit', 'GET /api/v1/batches', 'GET /api/v1/clinicians', 'GET /api/v1/compare/{outcome}', 'GET /api/v1/dimension-values', 'GET /api/v1/exports/teds-d', 'GET /api/v1/instruments', 'GET /api/v1/jobs', 'GET /api/v1/me',
      'GET /api/v1/metrics/attendance', 'GET /api/v1/metrics/completion', 'GET /api/v1/metrics/relapse', 'GET /api/v1/metrics/retention',
      'GET /api/v1/metrics/symptoms', 'GET /api/v1/measures/{name}', 'GET /api/v1/progress/alerts', 'GET /api/v1/progress/bands', 'GET /api/v1/progress/episodes/{id}', 'GET /api/v1/quality', 'GET /api/v1/rejects', 'GET /api/v1/report', 'GET /api/v1/sites', 'GET /api/v1/tracks',
      'POST /api/v1/ingest/{entity}', 'POST /api/v1/session',
      ...SPC_SERIES_NAMES.map((s) => `GET /api/v1/spc/${s}`),
    ].sort());
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(methods)) {
        expect(Object.keys(op.responses).length, `${m} ${p}`).toBeGreaterThan(0);
        for (const param of op.parameters ?? []) expect(['query', 'path', 'header', 'cookie']).toContain(param.in);
      }
    }
    const retention = doc.paths['/api/v1/metrics/retention']?.get;
    expect(retention?.parameters?.map((x) => x.name)).toEqual(expect.arrayContaining(['track', 'from', 'to', 'as_of', 'group_by', 'period', 'min_cell', 'format']));
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer', 'session']);
    // Every $ref resolves inside the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((x) => x[1] ?? '');
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref);
    expect(refs).toContain('RetentionResponse');
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await app.inject({ url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger-ui/);
  });
});

describe('program report', () => {
  it('shows every metric by track with definitions, the as-of date, the suppression rule and completeness', async () => {
    const res = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}`, headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    for (const title of ['Retention in treatment', 'Treatment completion', 'Attendance and engagement', 'Symptom change: PHQ-9', 'Abstinence and relapse', 'Data completeness', 'Small-cell suppression']) {
      expect(html).toContain(title);
    }
    expect(html).toContain('As of</dt><dd>2025-12-31');
    expect(html).toContain('Day IOP');
    expect(html).toMatch(/fewer episodes than the minimum cell size/);
    expect(html).toMatch(/@media print/);
    expect(html).toContain('Definition used');
    // the definitions are the responses' sentences (definition.text), never raw JSON
    expect(html).toContain('Initiation (HEDIS Initiation and Engagement of Substance Use Disorder Treatment (IET), program adaptation)');
    expect(html).not.toContain('{&#34;');
  });

  it('has the numbers of the metric endpoints in its CSV', async () => {
    const csv = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}&format=csv&min_cell=0`, headers: bearer(users.analyst) });
    const rows = parseCsv(csv.body);
    const metric = (await app.inject({ url: `/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0`, headers: bearer(users.analyst) })).json() as MetricResponse<'completion'>;
    for (const g of metric.groups) {
      const group = g as { key: { track?: string }; completion_rate: number | null; completion_ci: [number, number] | null };
      const row = rows.find((r) => r.metric === 'completion' && r.track === group.key.track && r.measure === 'completion_rate');
      expect(row, group.key.track).toBeDefined();
      expect(row?.value === '' ? null : Number(row?.value)).toBe(group.completion_rate);
      expect(row?.lower === '' ? null : Number(row?.lower)).toBe(group.completion_ci?.[0] ?? null);
    }
    expect(rows.some((r) => r.section === 'Data completeness')).toBe(true);
  });
});
