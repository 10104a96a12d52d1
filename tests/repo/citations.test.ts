import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANDED_MIGRATIONS } from '../warehouse/migration-checksums';

// Comments cite docs/ (docs/conventions.md), not the design notes that live outside the
// repository: a reader of the code has docs/ and nothing else. The names are spelled in
// pieces so that this file does not match itself.
const OUTSIDE = ['DESIGN', 'METRICS', 'MEASURES', 'STYLE'].map((name) => `${name}.md`);
const PATTERN = new RegExp(OUTSIDE.map((n) => n.replace('.', '\\.')).join('|'));
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Not source: dependencies, build output, local data, and fixtures that copy old files verbatim. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.iop', '.scratch', 'coverage', 'dashboard/dist', 'bench/data', 'tests/fixtures']);
/** Landed migrations are frozen (docs/operations.md, "Migrations"): their comments stay as they landed. */
const FROZEN = new Set(Object.keys(LANDED_MIGRATIONS).map((name) => `warehouse/migrations/${name}.ts`));

/**
 * Text the program prints (the OpenAPI document, the report, `--help`): changing it changes
 * the API and CLI bytes, which issue 14 keeps identical, so it changes together with the
 * saved responses. Remove an entry when its text changes.
 */
const PRINTED: readonly string[] = [];

function sourceFiles(dir = ''): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return SKIP_DIRS.has(rel) || SKIP_DIRS.has(entry.name) ? [] : sourceFiles(rel);
    return entry.isFile() && !FROZEN.has(rel) ? [rel] : [];
  });
}

function citations(): { found: string[]; printed: Set<string> } {
  const found: string[] = [];
  const printed = new Set<string>();
  for (const file of sourceFiles()) {
    const bytes = fs.readFileSync(path.join(ROOT, file));
    if (bytes.length > 2_000_000 || bytes.includes(0)) continue;
    bytes.toString('utf8').split('\n').forEach((line, i) => {
      if (!PATTERN.test(line)) return;
      const allowed = PRINTED.find((text) => line.includes(text));
      if (allowed) printed.add(allowed);
      else found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return { found, printed };
}

describe('citations', () => {
  const { found, printed } = citations();

  it(`cite docs/, never ${OUTSIDE.join(', ')} (files outside the repository)`, () => {
    expect(found, 'cite the docs/ file that states the rule (add the sentence to docs/ if it is missing)').toEqual([]);
  });

  it('allow an outside name only in text the program prints, and only where it still appears', () => {
    expect(PRINTED.filter((text) => !printed.has(text))).toEqual([]);
  });
});
