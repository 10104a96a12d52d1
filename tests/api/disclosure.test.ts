import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { METRIC_RESPONSE_SCHEMAS } from '../../metrics/response-schema';
import { useTestDatabase } from '../harness/database';
import { DISCLOSURE_AS_OF as AS_OF, SMALL, seedDisclosureProgram } from './disclosure-seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

/**
 * Issue 20 item 2: suppression applied one response at a time let a viewer recover
 * small cells by differencing two responses. Each attack below is run through the
 * real API as the viewer `vic` (track day); the cell it targets is 1-10 on the seed
 * (SMALL), and the attack must not give that number back.
 */
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  await seedDisclosureProgram(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

type Json = Record<string, unknown>;
type Group = Json & { key: Record<string, string>; n?: number };

async function get(url: string, token: string): Promise<Json> {
  const res = await app.inject({ url, headers: bearer(token) });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
  return res.json<Json>();
}

const groupsOf = (body: Json) => body.groups as Group[];
const only = (body: Json): Group => {
  const [g] = groupsOf(body);
  if (!g) throw new Error('no group');
  return g;
};
const num = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`expected a published number, got ${String(v)}`);
  return v;
};

/** True when a derived number equals a small cell's exact value (1-10): the attack worked. */
const reveals = (derived: number, exact: number) => exact >= 1 && exact <= 10 && derived === exact;

/** Every count a metric response publishes, by family (docs/metrics.md field lists), with its path. */
const COUNTS: Record<string, { scalar: string[]; series: Record<string, string[]> }> = {
  retention: { scalar: ['n', 'events'], series: { curve: ['at_risk', 'events', 'censored'] } },
  completion: { scalar: ['n', 'discharged', 'completed', 'reasons.*'], series: {} },
  attendance: { scalar: ['n', 'attended', 'no_show', 'initiated', 'engaged'], series: { by_week: ['attended', 'no_show'] } },
  symptoms: { scalar: ['n', 'with_baseline', 'paired', 'classes.*'], series: { trajectory: ['n'], scatter: ['n'] } },
  relapse: {
    scalar: ['n', 'events', 'tests', 'negative', 'eot_episodes', 'eot_abstinent', 'with_negative', 'relapsed', 'self_report.intake_n', 'self_report.latest_n', 'self_report.change_n'],
    series: { curve: ['at_risk', 'events', 'censored'], by_week: ['tests', 'negative'] },
  },
};

function countsOf(metric: string, g: Json): { path: string; value: unknown }[] {
  const spec = COUNTS[metric];
  if (!spec || !('n' in g)) return [];
  const out: { path: string; value: unknown }[] = [];
  for (const path of spec.scalar) {
    const [head, tail] = path.split('.');
    if (tail === '*') for (const [k, v] of Object.entries((g[head ?? ''] ?? {}) as Json)) out.push({ path: `${head}.${k}`, value: v });
    else if (tail) out.push({ path, value: ((g[head ?? ''] ?? {}) as Json)[tail] });
    else out.push({ path, value: g[path] });
  }
  for (const [series, fields] of Object.entries(spec.series)) {
    ((g[series] ?? []) as Json[]).forEach((row, i) => fields.forEach((f) => out.push({ path: `${series}[${i}].${f}`, value: row[f] })));
  }
  return out;
}

function expectAllRounded(body: Json): void {
  for (const g of groupsOf(body)) {
    for (const { path, value } of countsOf(String(body.metric), g)) {
      if (value === null) continue;
      expect(num(value) % 5, `${String(body.metric)} ${JSON.stringify(g.key)} ${path} = ${String(value)}`).toBe(0);
    }
  }
}

describe('a viewer cannot recover a small cell by differencing two requests', () => {
  it('attack 1: completion to=2025-06-01 vs to=2025-06-02 no longer singles out the one client admitted that day', async () => {
    const exactA = only(await get(`/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-06-01`, users.analyst));
    const exactB = only(await get(`/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-06-02`, users.analyst));
    expect(num(exactB.n) - num(exactA.n)).toBe(SMALL.dayDifference);
    expect(num(exactB.completed) - num(exactA.completed)).toBe(1);

    const a = await get(`/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-06-01`, users.viewer);
    const b = await get(`/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-06-02`, users.viewer);
    const [ga, gb] = [only(a), only(b)];
    expect(reveals(num(gb.n) - num(ga.n), SMALL.dayDifference)).toBe(false);
    expect(reveals(num(gb.completed) - num(ga.completed), 1)).toBe(false);
    expect(reveals(num(gb.discharged) - num(ga.discharged), 1)).toBe(false);
    // What the viewer was given is stated: both dates were snapped to the end of June.
    expect((a.filters as Json).to).toBe('2025-06-30');
    expect((b.filters as Json).to).toBe('2025-06-30');
    // The month before and the month itself: a difference, rounded, never the single client.
    const may = only(await get(`/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-05-31`, users.viewer));
    const exactMay = only(await get(`/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-05-31`, users.analyst));
    const exactJuneAdmissions = num(exactB.n) - num(exactMay.n);
    expect(exactJuneAdmissions).toBeGreaterThanOrEqual(1);
    expect(exactJuneAdmissions).toBeLessThanOrEqual(10);
    expect(reveals(num(gb.n) - num(may.n), exactJuneAdmissions)).toBe(false);
    expectAllRounded(a);
    expectAllRounded(b);
  });

  it('attack 2: the track total minus the published substance groups no longer gives the suppressed group', async () => {
    const bySubstance = await get(`/api/v1/metrics/completion?as_of=${AS_OF}&group_by=substance`, users.viewer);
    const cocaine = groupsOf(bySubstance).find((g) => g.key.substance === 'cocaine');
    expect(cocaine).toEqual({ key: { substance: 'cocaine' }, suppressed: ['all'] });
    const visible = groupsOf(bySubstance).filter((g) => 'n' in g).reduce((s, g) => s + num(g.n), 0);
    const total = num(only(await get(`/api/v1/metrics/completion?as_of=${AS_OF}`, users.viewer)).n);
    const derived = total - visible;
    expect(reveals(derived, SMALL.cocaine)).toBe(false);
    // Complementary suppression (docs/metrics.md "Small-cell suppression") hides the next
    // smallest substance group with cocaine, so `derived` is the sum of two hidden groups
    // (rounded), not cocaine's count: it is no small count at all.
    const hidden = groupsOf(bySubstance).filter((g) => !('n' in g));
    expect(hidden.length).toBe(2);
    expect(derived).toBeGreaterThan(10);
    // The same holds for retention's n, which the same attack could use.
    const rTotal = num(only(await get(`/api/v1/metrics/retention?as_of=${AS_OF}`, users.viewer)).n);
    const rVisible = groupsOf(await get(`/api/v1/metrics/retention?as_of=${AS_OF}&group_by=substance`, users.viewer))
      .filter((g) => 'n' in g).reduce((s, g) => s + num(g.n), 0);
    expect(reveals(rTotal - rVisible, SMALL.cocaine)).toBe(false);
  });

  it('attack 3: the open episodes the report withholds do not follow from completion n − discharged', async () => {
    const report = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}&format=csv`, headers: bearer(users.viewer) });
    expect(report.statusCode).toBe(200);
    const discharged = report.body.split('\r\n').filter((l) => l.startsWith('Data completeness') && l.includes('Discharged by the as-of date'));
    expect(discharged.find((l) => l.includes(',without,'))).toMatch(/,true,\*,/);
    for (const asOf of [AS_OF, '2025-12-15', '2025-12-30']) {
      const g = only(await get(`/api/v1/metrics/completion?as_of=${asOf}`, users.viewer));
      expect(reveals(num(g.n) - num(g.discharged), SMALL.open), asOf).toBe(false);
    }
    // Nor from the report's own total minus its "with" count.
    const cells = Object.fromEntries(discharged.map((l) => {
      const c = l.split(',');
      return [c[5], c[7]];
    }));
    if (cells.total && cells.with) expect(reveals(Number(cells.total) - Number(cells.with), SMALL.open)).toBe(false);
  });
});

describe('a viewer cannot recover an exact count by moving the suppression threshold', () => {
  it('attack 4: min_cell=k shows a group and min_cell=k+1 hides it, which would give n = k exactly', async () => {
    const exact = groupsOf(await get(`/api/v1/metrics/completion?as_of=${AS_OF}&track=day&group_by=sex&min_cell=0`, users.analyst));
    for (const target of exact) {
      const n = num(target.n);
      const at = async (k: number) => groupsOf(await get(`/api/v1/metrics/completion?as_of=${AS_OF}&group_by=sex&min_cell=${k}`, users.viewer))
        .find((g) => JSON.stringify(g.key) === JSON.stringify(target.key));
      const shown = await at(n);
      const hidden = await at(n + 1);
      expect(shown).toBeDefined();
      const pinned = shown !== undefined && 'n' in shown && hidden !== undefined && !('n' in hidden);
      expect(pinned, `${JSON.stringify(target.key)} n = ${n}`).toBe(false);
    }
  });
});

describe('what a viewer receives', () => {
  it('states the method in the definition block and publishes only counts rounded to base 5', async () => {
    for (const metric of Object.keys(COUNTS)) {
      const body = await get(`/api/v1/metrics/${metric}?as_of=${AS_OF}&group_by=sex`, users.viewer);
      expect((body.definition as Json).disclosure, metric).toMatchObject({ method: 'round-base-5', base: 5, month_snapped: true });
      expect(((body.definition as Json).text as Json).disclosure, metric).toContain('rounded to the nearest multiple of 5');
      expectAllRounded(body);
      const schema = METRIC_RESPONSE_SCHEMAS[metric as keyof typeof METRIC_RESPONSE_SCHEMAS];
      expect(schema.safeParse(body).error, metric).toBeUndefined();
    }
  });

  it('recomputes rates and their Wilson intervals from the rounded counts', async () => {
    const g = only(await get(`/api/v1/metrics/completion?as_of=${AS_OF}`, users.viewer));
    expect(num(g.completion_rate)).toBeCloseTo(num(g.completed) / num(g.discharged), 12);
    expect(Math.abs(num(g.positive_discharge_rate) * num(g.discharged)) % 5).toBeCloseTo(0, 9);
  });

  it('snaps from, to and as_of to whole months and echoes what was applied', async () => {
    const body = await get('/api/v1/metrics/retention?from=2025-02-14&to=2025-03-03&as_of=2025-12-15', users.viewer);
    expect(body.filters).toMatchObject({ from: '2025-02-01', to: '2025-03-31' });
    expect(body.as_of).toBe('2025-11-30');
    const monthEnd = await get('/api/v1/metrics/retention?as_of=2025-12-31', users.viewer);
    expect(monthEnd.as_of).toBe('2025-12-31');
  });

  it('publishes no log-rank statistic computed from exact counts', async () => {
    const body = await get(`/api/v1/metrics/retention?as_of=${AS_OF}&group_by=sex`, users.viewer);
    expect(body.log_rank).toBeNull();
  });

  it('rounds the report too, counts and data completeness alike', async () => {
    const res = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}&format=csv`, headers: bearer(users.viewer) });
    const rows = res.body.trim().split('\r\n').slice(1).map((l) => l.split(','));
    const counts = rows.filter((c) => c[0] === 'Data completeness' || ['n', 'events', 'discharged', 'with_baseline', 'paired', 'tests'].includes(c[5] ?? '') || (c[5] ?? '').startsWith('classes.'));
    expect(counts.length).toBeGreaterThan(10);
    for (const c of counts) if (c[7] !== '') expect(Number(c[7]) % 5, c.join(',')).toBe(0);
    const html = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}`, headers: bearer(users.viewer) });
    expect(html.body).toContain('rounded to the nearest multiple of 5');
  });
});

describe('analysts and admins still get exact numbers', () => {
  it('gives the exact counts, the requested dates and no disclosure block', async () => {
    for (const token of [users.analyst, users.admin]) {
      const body = await get(`/api/v1/metrics/completion?as_of=2025-12-30&to=2025-06-02`, token);
      const g = only(body);
      expect(g.n).toBe(94);
      expect(num(g.n) - num(g.discharged)).toBe(SMALL.open);
      expect((body.filters as Json).to).toBe('2025-06-02');
      expect(body.as_of).toBe('2025-12-30');
      expect((body.definition as Json).disclosure).toBeUndefined();
      expect(((body.definition as Json).text as Json).disclosure).toBeUndefined();
      const bySubstance = await get(`/api/v1/metrics/completion?as_of=${AS_OF}&group_by=substance&min_cell=0`, token);
      expect(groupsOf(bySubstance).find((g2) => g2.key.substance === 'cocaine')?.n).toBe(SMALL.cocaine);
      const retention = await get(`/api/v1/metrics/retention?as_of=${AS_OF}&group_by=sex`, token);
      expect(retention.log_rank).not.toBeNull();
    }
  });

  it('does not serve a viewer the exact body an analyst cached for the same filters, nor the reverse', async () => {
    const url = `/api/v1/metrics/completion?as_of=${AS_OF}&to=2025-06-30`;
    const exact = only(await get(url, users.analyst));
    const rounded = only(await get(url, users.viewer));
    const exactAgain = only(await get(url, users.analyst));
    expect(exact.n).toBe(94);
    expect(rounded.n).toBe(95);
    expect(exactAgain.n).toBe(94);
    const csv = await app.inject({ url: `${url}&format=csv`, headers: bearer(users.viewer) });
    expect(csv.body).not.toMatch(/,94,/);
  });
});

describe('property: whatever a viewer asks, published counts are multiples of 5 and a one-filter difference never pins a small cell', () => {
  const day = fc.integer({ min: 0, max: 364 }).map((d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10));
  const metric = fc.constantFrom('retention', 'completion', 'attendance', 'symptoms', 'relapse');
  const param = fc.constantFrom('from', 'to', 'as_of');

  it('holds over random pairs of requests', async () => {
    await fc.assert(fc.asyncProperty(metric, param, day, day, fc.constantFrom('track', 'sex', 'substance'), async (m, p, d1, d2, groupBy) => {
      const bodies: Json[] = [];
      for (const d of [d1, d2]) {
        const q = new URLSearchParams({ group_by: groupBy, as_of: p === 'as_of' ? d : AS_OF });
        if (p !== 'as_of') q.set(p, d);
        bodies.push(await get(`/api/v1/metrics/${m}?${q.toString()}`, users.viewer));
      }
      const [a, b] = bodies as [Json, Json];
      expectAllRounded(a);
      expectAllRounded(b);
      // The exact cell the attacker is after: the same requests as the filters applied, by an analyst.
      const exact = async (body: Json) => {
        const f = body.filters as Json;
        const q = new URLSearchParams({ group_by: groupBy, as_of: String(body.as_of), min_cell: '0' });
        for (const k of ['from', 'to'] as const) if (typeof f[k] === 'string') q.set(k, f[k]);
        for (const track of f.track as string[]) q.append('track', track);
        return get(`/api/v1/metrics/${m}?${q.toString()}`, users.analyst);
      };
      const [ea, eb] = [await exact(a), await exact(b)];
      for (const gb of groupsOf(b)) {
        const ga = groupsOf(a).find((g) => JSON.stringify(g.key) === JSON.stringify(gb.key));
        const xa = groupsOf(ea).find((g) => JSON.stringify(g.key) === JSON.stringify(gb.key));
        const xb = groupsOf(eb).find((g) => JSON.stringify(g.key) === JSON.stringify(gb.key));
        if (!ga || !('n' in ga) || !('n' in gb) || !xa || !xb) continue;
        const derived = num(gb.n) - num(ga.n);
        const truth = num(xb.n) - num(xa.n);
        expect(Math.abs(derived - truth)).toBeLessThanOrEqual(4);
        if (truth >= 1 && truth <= 10) {
          // Rounded counts leave at least two candidates for the difference in 1-10.
          const candidates = Array.from({ length: 10 }, (_, i) => i + 1).filter((x) => Math.abs(x - derived) <= 4);
          expect(candidates.length, `${m} ${p} ${d1} ${d2}`).toBeGreaterThan(1);
        }
      }
    }), { numRuns: 25 });
  }, 120_000);
});
