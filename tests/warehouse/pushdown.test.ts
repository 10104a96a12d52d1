import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../tools/generate/index';
import { ingestCsv } from '../../ingest/loader';
import { computeMetric, metricSource, METRIC_NAMES, parseFilters, type MetricFilters, type MetricName } from '../../metrics/index';
import type { DB } from '../../warehouse/db-types';
import { useTestDatabase } from '../harness/database';

/**
 * Issue "Benchmarks", item 5: every query a metric family issues must push down on Citus
 * as docs/scale-out.md describes it. Facts and models are distributed by `patient_id`
 * and co-located with `patients`, so a join between two of them runs on the workers only
 * when it is on the patient or episode key; anything else (a join on a date, a track,
 * a cross join) would be a repartition join. `tracks` and `instruments` are reference
 * tables and may be joined on anything. The test reads PostgreSQL's own plan of each
 * query (EXPLAIN (VERBOSE, FORMAT JSON)) rather than the SQL text, so CTEs, inlining and
 * join reordering are judged as the planner resolves them.
 */

const t = useTestDatabase();

const AS_OF = '2026-06-30';
const SEED = 20260630;
const EPISODES = 150;
const INGEST_ORDER = ['tracks', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence'] as const;

/** docs/scale-out.md "Distribution": distributed by patient_id, co-located with patients. */
const DISTRIBUTED = new Set([
  'patients', 'episodes', 'attendance', 'assessments', 'abstinence_tests', 'episode_outcomes', 'episode_instrument_outcomes',
]);
/**
 * The co-location keys: every distributed row carries its patient, and an episode belongs
 * to one patient. Citus itself co-locates a join only on the distribution column, so a
 * join on `episode_id` alone pushes down once it also names `patient_id`
 * (docs/scale-out.md "Which queries push down": "co-located when the fact joins also
 * carry patient_id"); this test holds the metric SQL to the key columns, as the issue asks.
 */
const KEYS = new Set(['patient_id', 'episode_id']);
/** Far fewer than the plans hold; a lower bound so the test cannot pass by examining nothing. */
const MIN_DISTRIBUTED_CONDITIONS = 60;

interface Captured {
  sql: string;
  parameters: readonly unknown[];
  /** Which metric call issued it, for the failure message. */
  origin: string;
}

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Relation Name'?: string;
  'CTE Name'?: string;
  Alias?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

const JOIN_NODES = new Set(['Hash Join', 'Merge Join', 'Nested Loop']);
/** Plan fields that can hold a join condition, on the join node or (parameterised) on its inner side. */
const CONDITION_FIELDS = ['Hash Cond', 'Merge Cond', 'Join Filter', 'Index Cond', 'Recheck Cond', 'Filter', 'TID Cond'];

// ---------------------------------------------------------------------------------------------
// Capturing the queries

async function seed(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'iop-pushdown-'));
  try {
    const summary = await generateCohort({ episodes: EPISODES, seed: SEED, outDir: dir, asOf: AS_OF });
    for (const entity of INGEST_ORDER) {
      const file = summary.files.find((f) => f.entity === entity);
      if (!file) throw new Error(`the generator wrote no ${entity}.csv`);
      await ingestCsv(t.wh, { entity, input: fs.createReadStream(file.path), sourceName: `${entity}.csv`, today: AS_OF });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function filters(raw: Record<string, unknown>): MetricFilters {
  const r = parseFilters({ as_of: AS_OF, ...raw });
  if (!r.ok) throw new Error(r.error.error);
  return r.filters;
}

interface Run {
  name: MetricName;
  raw: Record<string, unknown>;
  source: 'auto' | 'facts';
}

function runs(): Run[] {
  const out: Run[] = [];
  for (const name of METRIC_NAMES) {
    for (const raw of [{ group_by: 'track' }, { group_by: 'age_band', track: ['day', 'evening'] }]) {
      for (const source of ['facts', 'auto'] as const) out.push({ name, raw, source });
    }
  }
  out.push({ name: 'relapse', raw: { group_by: 'track', substance: 'opioids' }, source: 'auto' });
  out.push({ name: 'relapse', raw: { group_by: 'sex', substance: 'alcohol' }, source: 'facts' });
  return out;
}

/** Runs every metric call over a second kysely on the same pool, logging each query it issues. */
async function captureQueries(): Promise<Captured[]> {
  let origin = '';
  const seen = new Map<string, Captured>();
  const log = (event: LogEvent) => {
    if (event.level !== 'query') return;
    const { sql, parameters } = event.query;
    if (!/^\s*(select|with)\b/i.test(sql)) return;
    const key = `${sql}\u0000${JSON.stringify(parameters)}`;
    if (!seen.has(key)) seen.set(key, { sql, parameters, origin });
  };
  // Not destroyed: destroying it would end the harness's pool.
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: t.wh.pool }), log });
  for (const run of runs()) {
    origin = `${run.name} ${JSON.stringify(run.raw)} source=${run.source}`;
    await computeMetric(db, run.name, filters(run.raw), { minCell: 0, source: run.source });
  }
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------
// Reading the plans

type AliasSource = { kind: 'relation'; relation: string } | { kind: 'derived'; node: PlanNode } | { kind: 'other' };

interface PlanIndex {
  aliases: Map<string, AliasSource>;
  ctes: Map<string, PlanNode>;
}

function children(node: PlanNode): PlanNode[] {
  return node.Plans ?? [];
}

function indexPlan(root: PlanNode): PlanIndex {
  const index: PlanIndex = { aliases: new Map(), ctes: new Map() };
  const visit = (node: PlanNode) => {
    const cte = /^CTE (.+)$/.exec(node['Subplan Name'] ?? '');
    if (cte?.[1]) index.ctes.set(cte[1], node);
    const alias = node.Alias;
    if (alias) {
      if (node['Relation Name']) index.aliases.set(alias, { kind: 'relation', relation: node['Relation Name'] });
      else if (node['Node Type'] === 'Subquery Scan' || node['Node Type'] === 'CTE Scan') index.aliases.set(alias, { kind: 'derived', node });
      else index.aliases.set(alias, { kind: 'other' });
    }
    children(node).forEach(visit);
  };
  visit(root);
  return index;
}

/** Whether a subtree reads a distributed table, following CTE scans into their CTEs. */
function readsDistributed(node: PlanNode, index: PlanIndex, visiting = new Set<string>()): boolean {
  if (node['Relation Name'] && DISTRIBUTED.has(node['Relation Name'])) return true;
  const cteName = node['Node Type'] === 'CTE Scan' ? node['CTE Name'] : undefined;
  if (cteName && !visiting.has(cteName)) {
    const cte = index.ctes.get(cteName);
    // A CTE we cannot find is assumed distributed: the stricter reading.
    if (!cte) return true;
    if (readsDistributed(cte, index, new Set([...visiting, cteName]))) return true;
  }
  return children(node).some((c) => readsDistributed(c, index, visiting));
}

function aliasIsDistributed(alias: string, index: PlanIndex): boolean {
  const source = index.aliases.get(alias);
  // An alias the plan does not name is unresolved: treat it as distributed (stricter).
  if (!source) return true;
  if (source.kind === 'relation') return DISTRIBUTED.has(source.relation);
  if (source.kind === 'derived') return readsDistributed(source.node, index);
  return false;
}

/** The aliases scanned in a subtree, not descending into the node's own subplans (InitPlan/SubPlan). */
function aliasesIn(node: PlanNode): Set<string> {
  const out = new Set<string>();
  const visit = (n: PlanNode) => {
    if (n.Alias) out.add(n.Alias);
    for (const c of children(n)) {
      if (c['Parent Relationship'] === 'InitPlan' || c['Parent Relationship'] === 'SubPlan') continue;
      visit(c);
    }
  };
  visit(node);
  return out;
}

/** Every condition string of a subtree (the inner side of a nested loop carries its join keys as Index Cond). */
function conditionsIn(node: PlanNode, deep: boolean): string[] {
  const out: string[] = [];
  for (const field of CONDITION_FIELDS) {
    const v = node[field];
    if (typeof v === 'string') out.push(v);
  }
  if (deep) for (const c of children(node)) out.push(...conditionsIn(c, true));
  return out;
}

interface Equality {
  left: { alias: string; column: string };
  right: { alias: string; column: string };
  text: string;
}

/** A column reference, optionally parenthesised and cast: `a.col`, `(a.col)::text`. */
const COLUMN = String.raw`\(*([A-Za-z_][\w$]*)\.([A-Za-z_][\w$]*)\)*(?:::[\w ]+(?:\[\])?)?`;
const EQUALITY = new RegExp(`${COLUMN}\\s*=\\s*${COLUMN}`, 'g');

function equalities(condition: string): Equality[] {
  const out: Equality[] = [];
  for (const m of condition.matchAll(EQUALITY)) {
    const [, la, lc, ra, rc] = m;
    if (la && lc && ra && rc) out.push({ left: { alias: la, column: lc }, right: { alias: ra, column: rc }, text: `${la}.${lc} = ${ra}.${rc}` });
  }
  return out;
}

/** Where a column of a CTE or subquery comes from, as far as the plan shows it. */
interface Lineage {
  column: string;
  /** alias.column hops from the condition towards a base relation, for the failure message. */
  trail: string[];
  resolved: boolean;
}

/** A plain column reference in an Output list: `x.col` or `(x.col)`. */
const OUTPUT_COLUMN = /^\(?([A-Za-z_][\w$]*)\.([A-Za-z_][\w$]*)\)?$/;

/**
 * Follows `alias.column` through CTE and subquery scans to the relation that produces it.
 * EXPLAIN VERBOSE shows a CTE's or subquery's output as expressions over its own inputs,
 * not under the output names, so a column is matched by name (`scoped.episode_id` is
 * `e.episode_id`): a CTE that renamed some other column to `episode_id` would be missed,
 * and such a column is then judged by its name, as the issue allows.
 */
function lineage(alias: string, column: string, index: PlanIndex, depth = 0): Lineage {
  const here = `${alias}.${column}`;
  const source = index.aliases.get(alias);
  if (!source || source.kind === 'other' || depth > 20) return { column, trail: [here], resolved: false };
  if (source.kind === 'relation') return { column, trail: [`${here} (${source.relation})`], resolved: true };
  const top = source.node['Node Type'] === 'CTE Scan'
    ? index.ctes.get(source.node['CTE Name'] ?? '')
    : children(source.node).find((c) => c['Parent Relationship'] === 'Subquery');
  const outputs = Array.isArray(top?.Output) ? top.Output.filter((o): o is string => typeof o === 'string') : [];
  for (const output of outputs) {
    const m = OUTPUT_COLUMN.exec(output);
    if (m?.[1] && m[2] === column) {
      const inner = lineage(m[1], column, index, depth + 1);
      return { ...inner, trail: [here, ...inner.trail] };
    }
  }
  return { column, trail: [here], resolved: false };
}

interface Finding {
  query: Captured;
  node: string;
  condition: string;
  why: string;
}

interface Tally {
  distributedJoins: number;
  /** Equalities between two distributed sides that were judged. */
  distributedConditions: number;
  /** Distributed conditions whose both columns were traced to a base relation. */
  resolvedConditions: number;
  relations: Set<string>;
}

/** A key column, judged by where it comes from when the plan shows it, else by its name. */
function isKey(side: { alias: string; column: string }, index: PlanIndex): { key: boolean; resolved: boolean; trail: string } {
  const l = lineage(side.alias, side.column, index);
  return { key: KEYS.has(l.column), resolved: l.resolved, trail: l.trail.join(' <- ') };
}

/**
 * Checks one join node: the conditions that link its two sides, and, when both sides read
 * distributed tables, that at least one of them is an equality on a key and none is an
 * equality of two distributed columns on anything else.
 */
function checkJoin(node: PlanNode, index: PlanIndex, query: Captured, tally: Tally, findings: Finding[]): void {
  const [outer, inner] = children(node).filter((c) => c['Parent Relationship'] === 'Outer' || c['Parent Relationship'] === 'Inner');
  if (!outer || !inner) return;
  const outerAliases = aliasesIn(outer);
  const innerAliases = aliasesIn(inner);
  const conditions = [
    ...conditionsIn(node, false),
    // A nested loop's inner side is parameterised by the outer row: its scan conditions are the join's.
    ...(node['Node Type'] === 'Nested Loop' ? conditionsIn(inner, true) : []),
  ];
  const across = conditions.flatMap(equalities).filter((e) =>
    (outerAliases.has(e.left.alias) && innerAliases.has(e.right.alias)) || (innerAliases.has(e.left.alias) && outerAliases.has(e.right.alias)));
  const bothDistributed = readsDistributed(outer, index) && readsDistributed(inner, index);
  if (bothDistributed) tally.distributedJoins++;
  let keyed = false;
  for (const e of across) {
    if (!aliasIsDistributed(e.left.alias, index) || !aliasIsDistributed(e.right.alias, index)) continue;
    tally.distributedConditions++;
    const left = isKey(e.left, index);
    const right = isKey(e.right, index);
    if (left.resolved && right.resolved) tally.resolvedConditions++;
    if (left.key && right.key) keyed = true;
    else findings.push({ query, node: node['Node Type'], condition: `${e.text} [${left.trail} | ${right.trail}]`, why: 'joins two distributed tables on a column that is not patient_id/episode_id' });
  }
  if (bothDistributed && !keyed) {
    findings.push({ query, node: node['Node Type'], condition: conditions.join(' AND ') || '(none)', why: 'joins two distributed sides with no equality on patient_id/episode_id' });
  }
}

function walkJoins(node: PlanNode, visit: (n: PlanNode) => void): void {
  if (JOIN_NODES.has(node['Node Type'])) visit(node);
  children(node).forEach((c) => walkJoins(c, visit));
}

async function explain(q: Captured): Promise<PlanNode> {
  const { rows } = await t.wh.pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (verbose, format json) ${q.sql}`, [...q.parameters]);
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error(`no plan for ${q.sql}`);
  return plan;
}

async function judge(queries: readonly Captured[]): Promise<{ findings: string[]; tally: Tally }> {
  const tally: Tally = { distributedJoins: 0, distributedConditions: 0, resolvedConditions: 0, relations: new Set() };
  const findings: Finding[] = [];
  for (const q of queries) {
    const plan = await explain(q);
    const index = indexPlan(plan);
    for (const source of index.aliases.values()) if (source.kind === 'relation') tally.relations.add(source.relation);
    walkJoins(plan, (n) => checkJoin(n, index, q, tally, findings));
  }
  const report = findings.map((f) => `${f.why}: ${f.node} ${f.condition}\n  issued by ${f.query.origin}\n  ${f.query.sql.replace(/\s+/g, ' ')}`);
  return { findings: report, tally };
}

// ---------------------------------------------------------------------------------------------

describe('metric queries push down on Citus (docs/scale-out.md)', () => {
  let queries: Captured[] = [];

  beforeAll(async () => {
    await seed();
    queries = await captureQueries();
  });

  it('reads the models for the default requests, so the model queries are checked too', async () => {
    for (const name of METRIC_NAMES) expect(await metricSource(t.wh.db, name, filters({ group_by: 'track' }))).not.toBe('facts');
  });

  it('joins two distributed tables only on patient_id or episode_id', async () => {
    const { findings, tally } = await judge(queries);
    expect(findings).toEqual([]);
    // Not vacuous: every distributed table was read and many fact joins were judged.
    expect([...DISTRIBUTED].filter((r) => !tally.relations.has(r))).toEqual([]);
    expect(tally.distributedConditions).toBeGreaterThanOrEqual(MIN_DISTRIBUTED_CONDITIONS);
    expect(tally.resolvedConditions).toBeGreaterThanOrEqual(MIN_DISTRIBUTED_CONDITIONS);
  });

  it('flags joins that would not push down, and leaves reference-table joins alone', async () => {
    const probe = (sql: string): Captured => ({ sql, parameters: [], origin: 'probe' });
    const flagged = async (sql: string) => (await judge([probe(sql)])).findings;
    // A fact joined to a fact on a date: a repartition join on Citus.
    expect(await flagged('select count(*) from attendance a join abstinence_tests x on x.collected_on = a.session_date')).not.toEqual([]);
    // The same through a CTE over episodes, which the plan shows as a CTE scan.
    expect(await flagged(`with s as materialized (select episode_id, admitted_on from episodes)
      select count(*) from s join attendance a on a.session_date = s.admitted_on`)).not.toEqual([]);
    // No equality at all between two distributed sides.
    expect(await flagged('select count(*) from episodes e join attendance a on a.session_date > e.admitted_on')).not.toEqual([]);
    // A reference table may be joined on anything; a fact join on the episode key is fine.
    expect(await flagged('select count(*) from episodes e join tracks k on k.track_code = e.track_code')).toEqual([]);
    expect(await flagged(`with s as materialized (select episode_id from episodes)
      select count(*) from s join attendance a on a.episode_id = s.episode_id`)).toEqual([]);
  });
});
