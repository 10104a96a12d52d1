import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENTITIES, ENTITY_NAMES } from '../../ingest/entities';

// docs/formats.md "Entities" is the user's copy of the entity specs
// (ingest/entities/<entity>.ts): the same entities, columns, required columns and keys.
const DOC = readFileSync(new URL('../../docs/formats.md', import.meta.url), 'utf8');

interface DocEntity {
  columns: string[];
  required: string[];
  key: string[];
}

/** The rows of the "Entities" table: `| entity | columns (required in bold) | natural key |`. */
function documentedEntities(): Map<string, DocEntity> {
  const section = DOC.split('## Entities')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((l) => /^\| [a-z]/.test(l) && !l.startsWith('| entity'));
  return new Map(rows.map((row) => {
    const [name = '', columns = '', key = ''] = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const cells = columns.replace(/\s*\([^)]*\)/g, '').split(',').map((c) => c.trim()).filter((c) => !c.includes('…'));
    return [name, {
      columns: cells.map((c) => c.replace(/\*/g, '')),
      required: cells.filter((c) => c.startsWith('**')).map((c) => c.replace(/\*/g, '')),
      key: key.split('+').map((k) => k.trim()),
    }];
  }));
}

describe('docs/formats.md', () => {
  const documented = documentedEntities();

  it('lists every entity, in load order', () => {
    expect([...documented.keys()]).toEqual([...ENTITY_NAMES]);
  });

  it.each(ENTITY_NAMES)('gives the columns, required columns and natural key of %s as its spec does', (name) => {
    const spec = ENTITIES[name];
    expect(documented.get(name)).toEqual({ columns: [...spec.columns], required: [...spec.required], key: [...spec.key] });
  });

  it('documents item columns for the entities that take them', () => {
    const section = DOC.split('## Entities')[1] ?? '';
    for (const name of ENTITY_NAMES) {
      const row = section.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? '';
      expect(row.includes('item_1 … item_n'), name).toBe(ENTITIES[name].itemColumns);
    }
  });
});
