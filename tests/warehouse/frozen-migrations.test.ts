import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../warehouse/migrations/index';
import { LANDED_MIGRATIONS } from './migration-checksums';

// Landed migrations are frozen (docs/operations.md, "Migrations"): a database migrated
// before an edit would silently differ from one migrated after it, because the migrator
// never runs a migration twice. This test pins every landed file by its sha256.
const DIR = path.resolve(import.meta.dirname, '../../warehouse/migrations');
const TABLE = 'tests/warehouse/migration-checksums.ts';
const DATED = /^\d{4}-\d{2}-\d{2}T\d{4}-[a-z0-9-]+\.ts$/;

function migrationChecksum(file: string): string {
  const text = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** The problems a developer must fix, one sentence each (empty when the migrations are as landed). */
function frozenMigrationProblems(dir: string, landed: Readonly<Record<string, string>>): string[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  const problems: string[] = [];
  for (const file of files.filter((f) => !DATED.test(f))) {
    problems.push(`warehouse/migrations/${file} is not named <yyyy-mm-dd>T<hhmm>-<name>.ts: migrations are dated so they run in order.`);
  }
  const names = new Set(files.filter((f) => DATED.test(f)).map((f) => f.slice(0, -3)));
  for (const name of [...names].sort()) {
    const actual = migrationChecksum(path.join(dir, `${name}.ts`));
    const recorded = landed[name];
    if (recorded === undefined) {
      problems.push(`warehouse/migrations/${name}.ts is new and has no checksum: once it is final, add the line ` +
        `'${name}': '${actual}', to ${TABLE}.`);
    } else if (recorded !== actual) {
      problems.push(`warehouse/migrations/${name}.ts changed after it landed (sha256 ${actual}, recorded ${recorded}). ` +
        `Landed migrations are frozen: revert the edit and put the change in a new dated migration ` +
        `registered in warehouse/migrations/index.ts.`);
    }
  }
  for (const name of Object.keys(landed).filter((n) => !names.has(n))) {
    problems.push(`warehouse/migrations/${name}.ts landed and is gone: a landed migration is never deleted or renamed (restore it).`);
  }
  return problems;
}

describe('landed migrations', () => {
  it('are byte for byte what landed, and every dated migration has a recorded checksum', () => {
    expect(frozenMigrationProblems(DIR, LANDED_MIGRATIONS)).toEqual([]);
  });

  it('are all registered in the static migration index, in file-name order', async () => {
    const files = fs.readdirSync(DIR).filter((f) => DATED.test(f)).map((f) => f.slice(0, -3)).sort();
    expect(Object.keys(await migrationProvider.getMigrations())).toEqual(files);
  });
});

describe('the frozen-migration check', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const scratch = (files: Record<string, string>): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-migrations-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  };
  const sha = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

  it('fails on an edited migration and says to add a new one', () => {
    const dir = scratch({ '2026-01-01T1200-a.ts': 'edited\n' });
    const problems = frozenMigrationProblems(dir, { '2026-01-01T1200-a': sha('landed\n') });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/2026-01-01T1200-a\.ts changed after it landed .* new dated migration/);
  });

  it('fails on a new migration without a checksum and prints the line to add', () => {
    const dir = scratch({ '2026-01-01T1200-a.ts': 'landed\n', '2026-01-02T0900-b.ts': 'new\n' });
    const problems = frozenMigrationProblems(dir, { '2026-01-01T1200-a': sha('landed\n') });
    expect(problems).toEqual([
      `warehouse/migrations/2026-01-02T0900-b.ts is new and has no checksum: once it is final, add the line '2026-01-02T0900-b': '${sha('new\n')}', to ${TABLE}.`,
    ]);
  });

  it('fails on a deleted migration and an undated file name', () => {
    const dir = scratch({ 'create-things.ts': 'x\n' });
    const problems = frozenMigrationProblems(dir, { '2026-01-01T1200-a': sha('landed\n') });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/create-things\.ts is not named/);
    expect(problems[1]).toMatch(/2026-01-01T1200-a\.ts landed and is gone/);
  });

  it('reads CRLF and LF checkouts of the same file alike', () => {
    const dir = scratch({ '2026-01-01T1200-a.ts': 'one\r\ntwo\r\n' });
    expect(frozenMigrationProblems(dir, { '2026-01-01T1200-a': sha('one\ntwo\n') })).toEqual([]);
  });
});
