import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Command } from 'commander';
import { sql } from 'kysely';
import { computeMetric, metricSource } from '../../metrics/index';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import { METRIC_RESPONSE_SCHEMAS } from '../../metrics/response-schema';
import { METRIC_NAMES, type MetricName } from '../../metrics/types';
import { groupByOption, scopeFlags, scopeOptions } from '../../bin/options';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText } from '../ingest/helpers';
import { bearer, createTestUsers, testApp, type TestUsers } from '../api/helpers';
import { iop } from './cli';

// docs/metrics.md "Dimensions and filters": every list filter and a two-way group_by, through
// ingest (CSV, as a program loads it), the API and the CLI, on a small hand-built program.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
const AS_OF = '2025-06-30';

/** 24 episodes, one per patient; the attributes cycle so every filter value has a known count. */
const EPISODES = Array.from({ length: 24 }, (_, i) => ({
  id: `E${String(i).padStart(2, '0')}`,
  patient: `P${String(i).padStart(2, '0')}`,
  track: i < 12 ? 'day' : 'evening',
  site: [ 'north', 'south', null ][i % 3] ?? null,
  clinician: [ 'c1', 'c2', null ][i % 3] ?? null,
  sex: i % 2 ? 'female' : 'male',
  // admitted in 2025: ages 35, 50, 65, 80 → bands 35-44, 45-54, 65+, 65+ (docs/metrics.md age bands)
  birthYear: [1990, 1975, 1960, 1945][i % 4] as number,
  // as the source recorded it: two spellings of one race, and a blank
  race: ['White', 'WHITE', 'Black or African American', ''][i % 4] as string,
  ethnicity: i % 2 ? 'Hispanic or Latino' : 'Not Hispanic or Latino',
  substance: ['Alcohol', 'opioids', 'stimulants'][i % 3] as string,
  admitted: `2025-01-${String(i + 1).padStart(2, '0')}`,
  discharged: i % 4 === 3 ? null : `2025-03-${String(i + 1).padStart(2, '0')}`,
  reason: i % 4 === 1 ? 'dropped_out' : 'completed',
}));
type Ep = (typeof EPISODES)[number];

const BAND = (e: Ep) => ({ 1990: '35-44', 1975: '45-54', 1960: '65+', 1945: '65+' } as Record<number, string>)[e.birthYear] as string;
const RACE = (e: Ep) => (e.race === '' ? 'unknown' : e.race.toLowerCase());

beforeAll(async () => {
  const wh = t.wh;
  const ok = async (entity: Parameters<typeof ingestText>[1], text: string) => {
    const r = await ingestText(wh, entity, text);
    expect(r.rejected, `${entity}: ${JSON.stringify(r.errors)}`).toBe(0);
  };
  await ok('tracks', csv('track_code,name', 'day,Day IOP', 'evening,Evening IOP'));
  await ok('sites', csv('site_code,name', 'north,North clinic', 'south,South clinic'));
  await ok('clinicians', csv('clinician_id,name,site_code', 'c1,Ada,north', 'c2,Alan,south'));
  await ok('patients', csv('patient_id,birth_year,sex,race,ethnicity', ...EPISODES.map((e) => `${e.patient},${e.birthYear},${e.sex},${e.race},${e.ethnicity}`)));
  await ok('episodes', csv('episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance,site_code,clinician_id',
    ...EPISODES.map((e) => [e.id, e.patient, e.track, e.admitted, e.discharged ?? '', e.discharged ? e.reason : '', e.substance, e.site ?? '', e.clinician ?? ''].join(','))));
  users = await createTestUsers(wh);
  app = await testApp(wh);
});
afterAll(async () => app?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of several shapes, checked field by field
async function api(url: string, token = users.analyst): Promise<{ status: number; body: any }> {
  const res = await app.inject({ url, headers: bearer(token) });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('text/csv') ? res.body : res.json() };
}

/** n per track of the episodes matching `keep`, as the groups of a one-way table by track. */
function expectedByTrack(keep: (e: Ep) => boolean): { key: { track: string }; n: number }[] {
  const out = new Map<string, number>();
  for (const e of EPISODES.filter(keep)) out.set(e.track, (out.get(e.track) ?? 0) + 1);
  return [...out].sort(([a], [b]) => (a < b ? -1 : 1)).map(([track, n]) => ({ key: { track }, n }));
}

describe('ingest stores race and ethnicity as given, lower-cased (docs/formats.md)', () => {
  it('folds White and WHITE into one value, and keeps a blank as null', async () => {
    const { rows } = await sql<{ race: string | null }>`select distinct race from patients order by race`.execute(t.wh.db);
    expect(rows.map((r) => r.race)).toEqual(['black or african american', 'white', null]);
    const eth = await sql<{ ethnicity: string }>`select distinct ethnicity from patients order by 1`.execute(t.wh.db);
    expect(eth.rows.map((r) => r.ethnicity)).toEqual(['hispanic or latino', 'not hispanic or latino']);
  });
});

describe('every list filter, through the API (one-way by track, min_cell 0)', () => {
  const cases: [string, string, (e: Ep) => boolean][] = [
    ['site', 'site=north', (e) => e.site === 'north'],
    ['site, two values', 'site=north&site=south', (e) => e.site !== null],
    ['clinician', 'clinician=c2', (e) => e.clinician === 'c2'],
    ['sex', 'sex=female', (e) => e.sex === 'female'],
    ['sex, any case', 'sex=MALE', (e) => e.sex === 'male'],
    ['age band', 'age_band=65%2B', (e) => BAND(e) === '65+'],
    ['age bands, repeated', 'age_band=35-44&age_band=45-54', (e) => BAND(e) !== '65+'],
    ['race, any case, both spellings', 'race=White', (e) => RACE(e) === 'white'],
    ['race unknown (blank)', 'race=unknown', (e) => RACE(e) === 'unknown'],
    ['ethnicity', 'ethnicity=hispanic%20or%20latino', (e) => e.ethnicity === 'Hispanic or Latino'],
    ['substance (primary), any case', 'substance=ALCOHOL', (e) => e.substance === 'Alcohol'],
    ['two filters together', 'site=north&sex=male', (e) => e.site === 'north' && e.sex === 'male'],
  ];
  for (const [what, query, keep] of cases) {
    it(what, async () => {
      for (const metric of ['completion', 'retention'] as const) {
        const r = await api(`/api/v1/metrics/${metric}?as_of=${AS_OF}&min_cell=0&${query}`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.groups.map((g: { key: unknown; n: number }) => ({ key: g.key, n: g.n }))).toEqual(expectedByTrack(keep));
      }
    });
  }

  it('echoes the list filters given, and only those', async () => {
    const r = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0&site=south&site=north&race=White`);
    expect(r.body.filters).toEqual({ track: null, from: null, to: null, group_by: 'track', period: 'month', site: ['north', 'south'], race: ['white'] });
    const plain = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0`);
    expect(plain.body.filters).toEqual({ track: null, from: null, to: null, group_by: 'track', period: 'month' });
  });

  it('answers every family with every filter, within the response schema', async () => {
    const q = 'site=north&site=south&clinician=c1&clinician=c2&sex=male&sex=female&age_band=35-44&age_band=65%2B&race=white&race=unknown&ethnicity=not%20hispanic%20or%20latino&substance=alcohol&substance=opioids';
    for (const name of METRIC_NAMES) {
      const r = await api(`/api/v1/metrics/${name}?as_of=${AS_OF}&min_cell=0&${q}`);
      expect(r.status, `${name} ${JSON.stringify(r.body)}`).toBe(200);
      METRIC_RESPONSE_SCHEMAS[name].parse(r.body);
    }
  });
});

describe('group_by with two dimensions', () => {
  it('keys each cell by both dimensions, ordered by the first then the second, unknown last', async () => {
    const r = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0&group_by=track,race`);
    expect(r.status).toBe(200);
    expect(r.body.filters.group_by).toEqual(['track', 'race']);
    const want: { key: Record<string, string>; n: number }[] = [];
    for (const track of ['day', 'evening']) {
      for (const race of ['black or african american', 'white', 'unknown']) {
        const n = EPISODES.filter((e) => e.track === track && RACE(e) === race).length;
        if (n > 0) want.push({ key: { track, race }, n });
      }
    }
    expect(r.body.groups.map((g: { key: unknown; n: number }) => ({ key: g.key, n: g.n }))).toEqual(want);
  });

  it('takes the repeated form, and any pair of dimensions, for every family', async () => {
    const a = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0&group_by=site&group_by=age_band`);
    expect(a.body.groups[0].key).toEqual({ site: 'north', age_band: '35-44' });
    expect(a.body.groups.at(-1).key).toEqual({ site: 'unknown', age_band: '65+' });
    for (const name of METRIC_NAMES) {
      for (const pair of ['sex,clinician', 'period,ethnicity', 'substance,track']) {
        const r = await api(`/api/v1/metrics/${name}?as_of=${AS_OF}&min_cell=0&group_by=${pair}`);
        expect(r.status, `${name} ${pair}`).toBe(200);
        METRIC_RESPONSE_SCHEMAS[name].parse(r.body);
        const total = r.body.groups.reduce((s: number, g: { n: number }) => s + g.n, 0);
        expect(total, `${name} ${pair}`).toBe(24);
      }
    }
  });

  it('gives one CSV key column per dimension', async () => {
    const r = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0&group_by=sex,site&format=csv`);
    const [header, first] = (r.body as string).split('\r\n');
    expect(header).toMatch(/^metric,as_of,min_cell,sex,site,n,/);
    expect(first).toMatch(/^completion,2025-06-30,0,female,north,4,/);
  });

  it('suppresses the cells of a two-way table so that no row or column holds exactly one hidden cell', async () => {
    const r = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=4&group_by=track,race`);
    // cells (day|evening) × (black, white, unknown) = 3, 6, 3 each: at min_cell 4 the 3s are small, two in each
    // row and in each of their columns, so no complement is needed; margins (12, 12; 6, 12, 6) are all published
    const hidden = r.body.groups.filter((g: { suppressed?: string[] }) => g.suppressed?.[0] === 'all').map((g: { key: Record<string, string> }) => g.key);
    expect(hidden).toEqual([
      { track: 'day', race: 'black or african american' }, { track: 'day', race: 'unknown' },
      { track: 'evening', race: 'black or african american' }, { track: 'evening', race: 'unknown' },
    ]);
    for (const line of [['track', 'day'], ['track', 'evening'], ['race', 'white'], ['race', 'unknown'], ['race', 'black or african american']]) {
      const inLine = hidden.filter((k: Record<string, string>) => k[line[0] as string] === line[1]);
      expect(inLine.length, line.join('=')).not.toBe(1);
    }
  });
});

describe('the source: rollups and models only for the dimensions they carry (metrics/source.ts)', () => {
  const filters = (raw: Record<string, unknown>): MetricFilters => {
    const p = parseFilters({ as_of: AS_OF, ...raw });
    if (!p.ok) throw new Error(p.error.error);
    return p.filters;
  };

  it('reads the facts for site, clinician, race and ethnicity, filtered or grouped', async () => {
    for (const raw of [{ site: 'north' }, { clinician: 'c1' }, { race: 'white' }, { ethnicity: 'hispanic or latino' }, { group_by: 'track,site' }, { group_by: 'race' }]) {
      for (const name of METRIC_NAMES) expect(await metricSource(t.wh.db, name, filters(raw)), JSON.stringify(raw)).toBe('facts');
    }
  });

  it('keeps the rollups out under a list filter the model carries, and gives the facts’ answer from the model', async () => {
    for (const raw of [{ sex: 'female' }, { age_band: '65+' }, { substance: 'opioids', group_by: 'sex,age_band' }]) {
      for (const name of ['completion', 'retention', 'attendance', 'symptoms'] as MetricName[]) {
        const f = filters(raw);
        expect(await metricSource(t.wh.db, name, f)).not.toBe('rollup');
        const auto = await computeMetric(t.wh.db, name, f, { minCell: 0 });
        const facts = await computeMetric(t.wh.db, name, f, { minCell: 0, source: 'facts' });
        expect(auto, `${name} ${JSON.stringify(raw)}`).toEqual(facts);
      }
    }
  });
});

describe('bad values: 400 on the API, 64 on the CLI, with the parameter and what was expected', () => {
  const bad: [string, string, RegExp][] = [
    ['site=west', 'site', /unknown site west; known sites: north, south/],
    ['clinician=c9', 'clinician', /unknown clinician c9; known clinicians: c1, c2/],
    ['sex=f', 'sex', /sex must be one of female, male, other, unknown/],
    ['age_band=18-24', 'age_band', /age_band must be one of <18, 18-25, 26-34, 35-44, 45-54, 55-64, 65\+, unknown/],
    ['race=', 'race', /race must not be empty/],
    ['substance=a;b', 'substance', /substance may hold letters/],
    ['group_by=zip', 'group_by', /use one or two of track\|period\|sex\|age_band\|substance\|site\|clinician\|race\|ethnicity, comma-separated/],
    ['group_by=track,race,sex', 'group_by', /use one or two of track/],
    ['group_by=track&group_by=race&group_by=sex', 'group_by', /group_by/],
    ['group_by=race,race', 'group_by', /one dimension or two different ones/],
  ];
  for (const [query, param, message] of bad) {
    it(query, async () => {
      const r = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(JSON.stringify(r.body)).toMatch(message);
      expect(JSON.stringify(r.body)).toContain(param);
    });
  }

  it('on compare and spc too', async () => {
    expect((await api(`/api/v1/compare/completion?as_of=${AS_OF}&site=west`)).status).toBe(400);
    expect((await api(`/api/v1/spc/completion?as_of=${AS_OF}&sex=x`)).status).toBe(400);
  });

  it('exits 64 on the CLI', () => {
    const r = iop(t.url, ['metrics', 'completion', '--as-of', AS_OF, '--site', 'west', '--group-by', 'track,site']);
    expect(r.status, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/unknown site west; known sites: north, south/);
  });
});

describe('the CLI flags are the API parameters (bin/options.ts)', () => {
  it('maps every repeatable flag to its parameter', () => {
    const cmd = groupByOption(scopeOptions(new Command().exitOverride()));
    cmd.parse(['--site', 'north', '--site', 'south', '--clinician', 'c1', '--sex', 'female', '--age-band', '65+', '--race', 'White',
      '--ethnicity', 'Hispanic or Latino', '--substance', 'alcohol', '--group-by', 'track,race', '--track', 'day'], { from: 'user' });
    expect({ ...scopeFlags(cmd.opts()), group_by: cmd.opts().groupBy }).toEqual({
      track: ['day'], site: ['north', 'south'], clinician: ['c1'], sex: ['female'], age_band: ['65+'], race: ['White'],
      ethnicity: ['Hispanic or Latino'], substance: ['alcohol'], group_by: 'track,race',
    });
  });

  it('prints the API body for a two-way table with filters', async () => {
    const r = iop(t.url, ['metrics', 'completion', '--as-of', AS_OF, '--min-cell', '0', '--group-by', 'track,sex', '--site', 'north', '--race', 'White', '--race', 'unknown']);
    expect(r.status, r.stderr).toBe(0);
    const viaApi = await api(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0&group_by=track,sex&site=north&race=White&race=unknown`);
    expect(JSON.parse(r.stdout)).toEqual(viaApi.body);
  });
});

describe('compare and spc take the list filters', () => {
  it('limits a comparison and an SPC chart, and echoes the filters', async () => {
    const all = await api(`/api/v1/compare/completion?as_of=${AS_OF}&min_cell=0&adjust_for=none`);
    const north = await api(`/api/v1/compare/completion?as_of=${AS_OF}&min_cell=0&adjust_for=none&site=north`);
    expect(north.status, JSON.stringify(north.body)).toBe(200);
    expect(north.body.filters.site).toEqual(['north']);
    expect(JSON.stringify(north.body)).not.toEqual(JSON.stringify({ ...all.body, filters: north.body.filters }));
    const spc = await api(`/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0&sex=female&site=south`);
    expect(spc.status, JSON.stringify(spc.body)).toBe(200);
    expect(spc.body.filters).toMatchObject({ site: ['south'], sex: ['female'] });
  });
});
