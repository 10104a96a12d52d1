import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Warehouse } from '../../warehouse/db';
import type { EntityName } from '../../ingest/entities';
import { ingestCsv, type IngestSummary } from '../../ingest/loader';
import type { Profile } from '../../ingest/profile';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/csv');

/** A fixed ingest date, so "after the ingest date" is deterministic. */
export const TODAY = '2025-06-30';

export interface IngestTextOptions {
  profile?: Profile;
  source?: string;
  today?: string;
}

/** Ingests CSV text (or bytes) as one batch through the loader, as the CLI does. */
export function ingestText(wh: Warehouse, entity: EntityName, text: string | Buffer, o: IngestTextOptions = {}): Promise<IngestSummary> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return ingestCsv(wh, {
    entity,
    input: Readable.from([bytes]),
    sourceName: o.source ?? `${entity}.csv`,
    today: o.today ?? TODAY,
    ...(o.profile ? { profile: o.profile } : {}),
  });
}

/**
 * Ingests hand-built files in order, each as one batch (entity, header, rows), and fails
 * the test unless every row loads: the cohorts of the boundary tests must load whole.
 */
export async function ingestAll(
  wh: Warehouse, files: readonly (readonly [EntityName, string, readonly string[]])[], o: IngestTextOptions = {},
): Promise<void> {
  for (const [entity, header, rows] of files) {
    const s = await ingestText(wh, entity, csv(header, ...rows), o);
    expect(s.errors, entity).toEqual([]);
    expect(s.rejected, entity).toBe(0);
  }
}

/** Lines joined into a CSV document with a trailing newline. */
export function csv(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/**
 * The reference data most tests build on: two tracks, three patients and their
 * episodes. E1 (P1) is closed, E2 (P2) open, E3 (P3) closed.
 */
export async function seedBasics(wh: Warehouse): Promise<void> {
  await ingestText(wh, 'tracks', csv('track_code,name,level_of_care', 'T1,Evening IOP,iop', 'T2,Day PHP,php'));
  await ingestText(wh, 'patients', csv('patient_id,birth_year,sex', 'P1,1980,female', 'P2,1990,male', 'P3,1975,other'));
  await ingestText(wh, 'episodes', csv(
    'episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance',
    'E1,P1,T1,2024-01-10,2024-03-01,completed,alcohol',
    'E2,P2,T1,2024-02-01,,,opioids',
    'E3,P3,T2,2024-01-05,2024-02-20,dropped_out,stimulants',
  ));
}

export async function count(wh: Warehouse, table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(wh.db);
  return r.rows[0]?.n ?? 0;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (`bin/iop.ts`) against the test database. */
export function runCli(url: string, args: string[], input?: string | Buffer): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync('npx', ['tsx', 'bin/iop.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: url, IOP_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
