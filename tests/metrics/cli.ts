import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `iop …` as a user would (docs/cli.md), against the given warehouse. */
export function iop(url: string, args: readonly string[]): CliRun {
  const r = spawnSync('npx', ['tsx', 'bin/iop.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: url, IOP_LOG_LEVEL: 'warn' },
    timeout: 120_000,
  });
  // npx's own config warnings are not the command's output.
  const stderr = r.stderr.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n');
  return { status: r.status, stdout: r.stdout, stderr };
}

/** Writes canonical CSVs (entity → rows) into a fresh temp dir; returns the file paths. */
export function writeCsvs(files: Record<string, readonly (readonly (string | number | null)[])[]>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'iop-metrics-'));
  const out: Record<string, string> = {};
  for (const [entity, rows] of Object.entries(files)) {
    const file = path.join(dir, `${entity}.csv`);
    writeFileSync(file, rows.map((r) => r.map((c) => (c === null ? '' : String(c))).join(',')).join('\n') + '\n');
    out[entity] = file;
  }
  return out;
}

/** Ingests files in order through the CLI and fails loudly on a rejected row. */
export function ingestAll(url: string, files: Record<string, string>, order: readonly string[]): void {
  for (const entity of order) {
    const file = files[entity];
    if (!file) continue;
    const r = iop(url, ['ingest', entity, file, '--json']);
    if (r.status !== 0) throw new Error(`ingest ${entity} exited ${r.status}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout) as { rejected: number; errors: unknown[] };
    if (summary.rejected > 0) throw new Error(`ingest ${entity} rejected rows: ${JSON.stringify(summary.errors)}`);
  }
}
