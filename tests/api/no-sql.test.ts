import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The API calls warehouse, ingest and metrics functions; it writes no SQL of its own
// (issue 14: one function per query, used by both the CLI and the API). A query in
// api/ belongs in the layer that owns its table: warehouse/ (catalog, users, audit
// log), ingest/ (lineage, job runs, the quality report) or metrics/.
const SQL_IN_TYPESCRIPT: [string, RegExp][] = [
  ['a sql`…` template', /\bsql\s*(<[^>]*>)?\s*`/],
  ['sql.raw/ref/table/join/lit/id/val', /\bsql\.(raw|ref|table|join|lit|id|val)\s*\(/],
  ['a kysely query builder', /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\s*\(/],
  ['a pg query', /\.query\s*\(/],
  ['a value import from kysely (types only)', /^import\s+(?!type\b)[^;]*from\s+['"]kysely['"]/m],
];

/** Files that may still hold SQL, and why. Keep this list empty: an entry is a debt. */
const EXCEPTIONS = new Map<string, readonly string[]>([]);

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return typescriptFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The kinds of SQL a source holds, by line (comments are skipped: they may quote SQL). */
function sqlIn(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return SQL_IN_TYPESCRIPT.filter(([, re]) => re.test(code)).map(([kind]) => kind);
}

describe('api/', () => {
  it('recognises each kind of SQL the check looks for', () => {
    expect(sqlIn('await sql`select 1`.execute(db);')).toEqual(['a sql`…` template']);
    expect(sqlIn('const r = await sql<{ n: number }>`select 1`.execute(db);')).toEqual(['a sql`…` template']);
    expect(sqlIn("db.selectFrom('tracks').selectAll()")).toEqual(['a kysely query builder']);
    expect(sqlIn("fastify.wh.db.insertInto('audit_log')")).toEqual(['a kysely query builder']);
    expect(sqlIn("await client.query('select 1')")).toEqual(['a pg query']);
    expect(sqlIn("import { sql, type Kysely } from 'kysely';")).toEqual(['a value import from kysely (types only)']);
    expect(sqlIn("import type { Kysely } from 'kysely';\n// db.selectFrom('x') in a comment")).toEqual([]);
  });

  it('holds no SQL: every query is a warehouse, ingest or metrics function', () => {
    const found = typescriptFiles(path.join(REPO_ROOT, 'api')).flatMap((file) => {
      const rel = path.relative(REPO_ROOT, file).split(path.sep).join('/');
      const kinds = sqlIn(readFileSync(file, 'utf8'));
      const allowed = EXCEPTIONS.get(rel) ?? [];
      return kinds.filter((k) => !allowed.includes(k)).map((k) => `${rel}: ${k}`);
    });
    expect(found).toEqual([]);
  });
});
