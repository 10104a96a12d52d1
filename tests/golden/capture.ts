import fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { registerCommands } from '../../bin/commands/index';
import type { CliContext } from '../../bin/context';
import { sha256OfStream } from '../../ingest/csv-source';
import { isEntityName } from '../../ingest/entities';
import { ingestCsv } from '../../ingest/loader';
import { loadConfig } from '../../warehouse/config';
import { openWarehouse, type Warehouse } from '../../warehouse/db';
import { createUser } from '../../api/auth/users';
import { testApp, bearer } from '../api/helpers';

/**
 * The saved responses of issue 14 item 8: the CLI and API bodies for the demo cohort,
 * so that a refactor can be shown to change no byte. The cohort is the demo's
 * (`iop demo`: 2,000 episodes, seed 2026), generated for a fixed as-of date and ingested
 * with that date as the ingest date, so that nothing here reads the clock.
 *
 * Only two kinds of field are rewritten before comparison, both in the lineage and
 * report bodies and never in a metric body: batch ids (random UUIDs) become
 * `<batch:N>`, N being the batch's place in ingest order, and ISO timestamps become
 * `<timestamp>`. Rejected rows are ordered by batch id, which is random, so after the
 * ids are rewritten they are sorted by (batch, line).
 */
export const COHORT = { episodes: 2000, seed: 2026, asOf: '2026-06-30' } as const;
export const GOLDEN_DIR = path.resolve(import.meta.dirname, '../fixtures/golden');

/** Filters as the API takes them (query parameter → value); the CLI flag is the same name with dashes. */
type Filters = Record<string, string | readonly string[]>;

const COMMON_VARIANTS: Record<string, Filters> = {
  track: {},
  'period-quarter': { group_by: 'period', period: 'quarter' },
  sex: { group_by: 'sex' },
  'track-filter': { track: ['day', 'evening'] },
  'from-to': { from: '2025-07-01', to: '2026-03-31' },
  'as-of': { as_of: '2026-03-31' },
  'age-band-min-cell-0': { group_by: 'age_band', min_cell: '0' },
};

const FAMILY_VARIANTS: Record<string, Record<string, Filters>> = {
  retention: {},
  completion: { 'period-year': { group_by: 'period', period: 'year' } },
  attendance: {},
  symptoms: { 'gad-7': { instrument: 'GAD-7' } },
  relapse: { 'missing-not-positive': { missing_as_positive: 'false' }, substance: { group_by: 'substance' } },
};

export const FAMILIES = ['retention', 'completion', 'attendance', 'symptoms', 'relapse'] as const;

export function variantsOf(family: (typeof FAMILIES)[number]): [string, Filters][] {
  return Object.entries({ ...COMMON_VARIANTS, ...FAMILY_VARIANTS[family] }).map(([name, f]) => [name, { as_of: COHORT.asOf, ...f }]);
}

function cliFlags(filters: Filters): string[] {
  return Object.entries(filters).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).flatMap((x: string) => [`--${k.replace(/_/g, '-')}`, x]));
}

function query(filters: Filters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x as string);
  return q.toString();
}

/**
 * Runs `iop <args>` in this process through the real command tree (bin/commands) and
 * returns what it wrote to stdout. Only the context differs from bin/iop.ts: the
 * warehouse is the test database and stdout is collected.
 */
export async function runCli(url: string, args: readonly string[]): Promise<string> {
  const out: string[] = [];
  const config = loadConfig({ DATABASE_URL: url, IOP_LOG_LEVEL: 'silent', IOP_MIN_CELL: '11' });
  const ctx: CliContext = {
    config,
    log: pino({ level: 'silent' }),
    openWarehouse: (poolSize) => openWarehouse(config, () => undefined, poolSize),
    out: (text) => void out.push(text.endsWith('\n') ? text : `${text}\n`),
  };
  const program = new Command('iop').exitOverride().configureOutput({ writeErr: () => undefined });
  registerCommands(program, ctx);
  await program.parseAsync(['node', 'iop', ...args]);
  return out.join('');
}

interface GeneratedFile { entity: string; path: string }

/**
 * Generates the cohort with `iop generate` and ingests its files (the good ones, then
 * the deliberately bad ones, as `iop demo` does) with the loader `iop ingest` calls,
 * the ingest date pinned to the cohort's as-of date.
 */
export async function loadCohort(wh: Warehouse): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'iop-golden-'));
  try {
    const summary = JSON.parse(await runCli(wh.url, [
      'generate', '--out', dir, '--episodes', String(COHORT.episodes), '--seed', String(COHORT.seed), '--as-of', COHORT.asOf, '--json',
    ])) as { files: GeneratedFile[]; badFiles: GeneratedFile[] };
    for (const f of [...summary.files, ...summary.badFiles]) {
      if (!isEntityName(f.entity)) throw new Error(`the generator wrote a file for an unknown entity ${f.entity}`);
      const sha256 = await sha256OfStream(fs.createReadStream(f.path));
      await ingestCsv(wh, { entity: f.entity, input: fs.createReadStream(f.path), sourceName: path.relative(dir, f.path), sha256, today: COHORT.asOf });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Rewrites batch ids to their place in ingest order and timestamps to a placeholder. */
export function normalise(body: string, batchOrder: readonly string[]): string {
  return body
    .replace(UUID, (id) => {
      const i = batchOrder.indexOf(id.toLowerCase());
      if (i < 0) throw new Error(`a UUID that is no batch id: ${id}`);
      return `<batch:${i}>`;
    })
    .replace(TIMESTAMP, '<timestamp>');
}

/** Rejected rows, ids rewritten, sorted by (batch, line): the stored order follows the random ids. */
function normaliseRejects(body: string, batchOrder: readonly string[]): string {
  const rows = JSON.parse(normalise(body, batchOrder)) as { batch_id: string; line: number }[];
  const place = (r: { batch_id: string }) => Number(/\d+/.exec(r.batch_id)?.[0] ?? -1);
  rows.sort((a, b) => place(a) - place(b) || a.line - b.line);
  return `${JSON.stringify(rows)}${body.endsWith('\n') ? '\n' : ''}`;
}

async function batchOrderOf(wh: Warehouse): Promise<string[]> {
  const rows = await wh.db.selectFrom('ingest_batches').select('batch_id').orderBy('started_at').orderBy('batch_id').execute();
  return rows.map((r) => r.batch_id.toLowerCase());
}

/** `iop metrics` (JSON and CSV) for every family and variant, and `iop batches|rejects --json`. */
export async function captureCli(wh: Warehouse): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  for (const family of FAMILIES) {
    for (const [variant, filters] of variantsOf(family)) {
      for (const format of ['json', 'csv'] as const) {
        bodies.set(`cli/metrics-${family}--${variant}.${format}`, await runCli(wh.url, ['metrics', family, ...cliFlags(filters), '--format', format]));
      }
    }
  }
  const order = await batchOrderOf(wh);
  bodies.set('cli/batches.json', normalise(await runCli(wh.url, ['batches', '--json']), order));
  bodies.set('cli/rejects.json', normaliseRejects(await runCli(wh.url, ['rejects', '--json']), order));
  return bodies;
}

/** The API bodies as an admin: metrics (JSON, CSV), the report, the catalog, lineage, quality and OpenAPI. */
export async function captureApi(wh: Warehouse): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  const { token } = await createUser(wh.db, { username: 'golden-admin', role: 'admin', tracks: null, password: null });
  const app = await testApp(wh);
  try {
    const get = async (url: string): Promise<string> => {
      const res = await app.inject({ url, headers: bearer(token) });
      if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
      return res.body;
    };
    for (const family of FAMILIES) {
      for (const [variant, filters] of variantsOf(family)) {
        bodies.set(`api/metrics-${family}--${variant}.json`, await get(`/api/v1/metrics/${family}?${query(filters)}`));
        bodies.set(`api/metrics-${family}--${variant}.csv`, await get(`/api/v1/metrics/${family}?${query({ ...filters, format: 'csv' })}`));
      }
    }
    const order = await batchOrderOf(wh);
    const reports: Record<string, Filters> = { all: { as_of: COHORT.asOf }, 'track-from': { as_of: COHORT.asOf, track: ['day', 'womens'], from: '2025-07-01' } };
    for (const [name, filters] of Object.entries(reports)) {
      bodies.set(`api/report-${name}.html`, normalise(await get(`/api/v1/report?${query({ ...filters, format: 'html' })}`), order));
      bodies.set(`api/report-${name}.csv`, normalise(await get(`/api/v1/report?${query({ ...filters, format: 'csv' })}`), order));
    }
    // The depression measures on the demo cohort (its follow-up PHQ-9s come from their own generator stream).
    for (const measure of ['dep-rem-6', 'dep-rem-12', 'dep-resp-6']) {
      bodies.set(`api/measures-${measure}.json`, await get(`/api/v1/measures/${measure}?as_of=${COHORT.asOf}`));
    }
    bodies.set('api/tracks.json', await get('/api/v1/tracks'));
    bodies.set('api/instruments.json', await get('/api/v1/instruments'));
    bodies.set('api/me.json', await get('/api/v1/me'));
    bodies.set('api/batches.json', normalise(await get('/api/v1/batches'), order));
    bodies.set('api/rejects.json', normaliseRejects(await get('/api/v1/rejects'), order));
    bodies.set('api/quality.json', normalise(await get(`/api/v1/quality?as_of=${COHORT.asOf}`), order));
    bodies.set('api/openapi.json', await get('/openapi.json'));
  } finally {
    await app.close();
  }
  return bodies;
}

/** Every golden file under GOLDEN_DIR, as relative paths. */
export function storedGoldenFiles(): string[] {
  if (!fs.existsSync(GOLDEN_DIR)) return [];
  return fs.readdirSync(GOLDEN_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(GOLDEN_DIR, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}
