/** Test helper: generates a cohort into a temporary folder and parses every file it wrote. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateCohort, type GenerateSummary } from '../../tools/generate/index';

export type Row = Record<string, string>;

export interface ParsedFile {
  header: string[];
  rows: Row[];
}

export interface Cohort {
  dir: string;
  summary: GenerateSummary;
  files: Record<string, ParsedFile>;
  bad: Record<string, ParsedFile>;
  cleanup: () => Promise<void>;
}

export const ENTITIES = ['tracks', 'sites', 'clinicians', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence', 'followups'] as const;
export const AS_OF = '2026-11-23';

export async function parseCsvFile(path: string): Promise<ParsedFile> {
  const records: string[][] = parse(await readFile(path, 'utf8'), { relax_column_count: false });
  const [header = [], ...body] = records;
  const rows = body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  return { header, rows };
}

export async function generateAndParse(episodes: number, seed: number, asOf = AS_OF): Promise<Cohort> {
  const dir = await mkdtemp(join(tmpdir(), 'iop-generate-'));
  const summary = await generateCohort({ episodes, seed, outDir: dir, asOf });
  const files: Record<string, ParsedFile> = {};
  for (const entity of ENTITIES) files[entity] = await parseCsvFile(join(dir, `${entity}.csv`));
  const bad: Record<string, ParsedFile> = {};
  for (const f of summary.badFiles) bad[f.entity] = await parseCsvFile(f.path);
  return { dir, summary, files, bad, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function rowsOf(cohort: Cohort, entity: (typeof ENTITIES)[number]): Row[] {
  return cohort.files[entity]?.rows ?? [];
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The keys a generated cohort knows (tracks, sites, clinicians, patients, episodes), for the row rules. */
export function knownKeys(cohort: Cohort): { asOf: string } & Record<'tracks' | 'sites' | 'clinicians' | 'patients' | 'episodes', Set<string>> {
  const keys = (entity: 'tracks' | 'sites' | 'clinicians' | 'patients' | 'episodes', column: string) => new Set(rowsOf(cohort, entity).map((r) => r[column] ?? ''));
  return {
    asOf: AS_OF,
    tracks: keys('tracks', 'track_code'),
    sites: keys('sites', 'site_code'),
    clinicians: keys('clinicians', 'clinician_id'),
    patients: keys('patients', 'patient_id'),
    episodes: keys('episodes', 'episode_id'),
  };
}
