import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { pullFhir } from '../../ingest/fhir/server-pull';
import type { Resource } from '../../ingest/fhir/resource';
import { patient } from './helpers';

// A small FHIR-shaped search server (node:http on 127.0.0.1, port 0): `GET /fhir/[type]`
// honours `_count`, `_lastUpdated=gt…` and pages through `Bundle.link[relation=next]`
// (FHIR R4 §3.1.1.5), and checks the bearer token.
const t = useTestDatabase();
const store: Resource[] = [];
const requests: string[] = [];
let server: http.Server;
let base = '';

function phq9(id: string, subject: string, date: string, score: number, updated: string): Resource {
  return {
    resourceType: 'Observation', id, status: 'final', meta: { lastUpdated: updated },
    code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] }, subject: { reference: `Patient/${subject}` },
    effectiveDateTime: date, valueInteger: score,
  };
}

function search(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  requests.push(`${url.pathname}?${url.searchParams.toString()}`);
  if (req.headers.authorization !== 'Bearer s3cret') {
    res.writeHead(401).end();
    return;
  }
  const type = url.pathname.split('/').pop();
  const gt = url.searchParams.get('_lastUpdated')?.replace(/^gt/, '');
  const count = Number(url.searchParams.get('_count') ?? '50');
  const offset = Number(url.searchParams.get('_offset') ?? '0');
  const hits = store.filter((r) => r.resourceType === type && (!gt || Date.parse(String((r.meta as { lastUpdated: string }).lastUpdated)) > Date.parse(gt)));
  const page = hits.slice(offset, offset + count);
  const link = [{ relation: 'self', url: url.href }];
  if (offset + count < hits.length) {
    const next = new URL(url);
    next.searchParams.set('_offset', String(offset + count));
    link.push({ relation: 'next', url: next.href });
  }
  res.writeHead(200, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: hits.length, link, entry: page.map((resource) => ({ resource, search: { mode: 'match' } })) }));
}

beforeAll(async () => {
  server = http.createServer(search);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  for (let i = 1; i <= 5; i++) store.push({ ...patient(`sp${i}`), meta: { lastUpdated: `2024-05-0${i}T10:00:00Z` } });
  store.push(phq9('o1', 'sp1', '2024-04-01', 18, '2024-05-01T11:00:00Z'));
  store.push(phq9('o2', 'sp2', '2024-04-02', 9, '2024-05-02T11:00:00Z'));
  store.push(phq9('o3', 'sp3', '2024-04-03', 14, '2024-05-03T11:00:00Z'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const source = () => ({ name: 'ehr-fhir', baseUrl: base, resourceTypes: ['Patient', 'Observation'], bearerToken: 's3cret', pageSize: 2 });

describe('FHIR server pull', () => {
  it('gets every page on the first pull, then only resources updated after the stored high-water mark', async () => {
    const first = await pullFhir(t.wh, source(), { today: '2025-06-30' });
    expect(first.resources_read).toBe(8);
    expect(first.pages).toBe(5); // Patient: 2+2+1, Observation: 2+1
    expect(first.high_water).toEqual({ Patient: '2024-05-05T10:00:00Z', Observation: '2024-05-03T11:00:00Z' });
    expect(requests.every((r) => !r.includes('_lastUpdated'))).toBe(true);
    expect(first.batches.map((b) => [b.entity, b.inserted])).toEqual([['patients', 5], ['assessments', 3]]);

    // The same observation id, re-issued on a new date, is a new result; o2 is corrected.
    store.push(phq9('o1', 'sp1', '2024-05-10', 11, '2024-05-10T09:00:00Z'));
    store.splice(store.findIndex((r) => r.id === 'o2'), 1, phq9('o2', 'sp2', '2024-04-02', 10, '2024-05-11T09:00:00Z'));
    requests.length = 0;
    const second = await pullFhir(t.wh, source(), { today: '2025-06-30' });
    expect(requests).toEqual([
      '/fhir/Patient?_count=2&_lastUpdated=gt2024-05-05T10%3A00%3A00Z',
      '/fhir/Observation?_count=2&_lastUpdated=gt2024-05-03T11%3A00%3A00Z',
    ]);
    expect(second.resources_read).toBe(2);
    expect(second.batches.map((b) => [b.entity, b.inserted, b.updated])).toEqual([['assessments', 1, 1]]);
    const scores = await t.wh.db.selectFrom('assessments').select(['patient_id', 'administered_on', 'total_score']).orderBy('patient_id').orderBy('administered_on').execute();
    expect(scores).toEqual([
      { patient_id: 'sp1', administered_on: '2024-04-01', total_score: 18 },
      { patient_id: 'sp1', administered_on: '2024-05-10', total_score: 11 },
      { patient_id: 'sp2', administered_on: '2024-04-02', total_score: 10 },
      { patient_id: 'sp3', administered_on: '2024-04-03', total_score: 14 },
    ]);
    const state = await t.wh.db.selectFrom('fhir_sync_state').select(['resource_type', 'high_water']).where('source', '=', 'ehr-fhir').orderBy('resource_type').execute();
    expect(state).toEqual([{ resource_type: 'Observation', high_water: '2024-05-11T09:00:00Z' }, { resource_type: 'Patient', high_water: '2024-05-05T10:00:00Z' }]);
  });

  it('fails without advancing the high-water mark when the server refuses', async () => {
    await expect(pullFhir(t.wh, { ...source(), name: 'bad-token', bearerToken: 'wrong' })).rejects.toThrow(/answered 401/);
    expect(await t.wh.db.selectFrom('fhir_sync_state').select('source').where('source', '=', 'bad-token').execute()).toEqual([]);
  });
});
