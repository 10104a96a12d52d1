import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS, AGE_MIN, DAILY_USE_DAYS, ETHNIC, EXPORT_SECRET_MIN_LENGTH, FREQ1_D_WINDOW_DAYS, GENDER, LOS_BANDS, LOS_EXACT_DAYS, RACE, REASON, SERVICES_D,
  SERVICES_D_DEFAULT, SUB1, TEDS_D_COLUMNS,
} from '../../metrics/exports/teds-d-codes';

// docs/funder-reporting.md "TEDS-D discharge extract" states the code tables for the people
// who submit the extract; this test holds every table there to metrics/exports/teds-d-codes.ts.
const DOC = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/funder-reporting.md'), 'utf8');
const section = DOC.slice(DOC.indexOf('## TEDS-D discharge extract'));

/** The `name` N pairs of a "**LABEL.** `a`, `b` 1; `c` 2 …" paragraph. */
function paragraph(label: string): Map<string, number> {
  const start = section.indexOf(`**${label}.**`);
  expect(start, label).toBeGreaterThan(0);
  const text = section.slice(start, section.indexOf('\n\n', start)).replace(/\([^)]*\)/g, '');
  const out = new Map<string, number>();
  for (const part of text.split(';')) {
    const code = /`[^`]+`[^`\d]*?(\d+)\s*(?:$|\.|\s)/.exec(part.replace(/^\*\*[A-Z0-9_]+\.\*\*/, ''));
    if (!code?.[1]) continue;
    for (const name of part.matchAll(/`([^`]+)`/g)) if (name[1]) out.set(name[1], Number(code[1]));
  }
  return out;
}

/** The rows of the two-column table under a "**LABEL.**" paragraph. */
function table(label: string): [string, number][] {
  const start = section.indexOf(`**${label}.**`);
  const body = section.slice(start).split('\n\n').find((block) => block.startsWith('|')) ?? '';
  return body.split('\n').slice(2).map((line) => {
    const [, left = '', right = ''] = line.split('|').map((c) => c.trim());
    return [left, Number(right)];
  });
}

describe('docs/funder-reporting.md states the TEDS-D code tables of metrics/exports/teds-d-codes.ts', () => {
  it('names the columns in their order', () => {
    expect(section).toContain(`\`${TEDS_D_COLUMNS.join(',')}\``);
  });

  it('states LOS: days 1–30 as themselves, then the bands', () => {
    expect(section).toContain(`Days 1 to ${LOS_EXACT_DAYS} are written as themselves`);
    let from = LOS_EXACT_DAYS + 1;
    const expected = LOS_BANDS.map((b) => {
      const row: [string, number] = [b.upTo === null ? `over ${from - 1}` : `${from}–${b.upTo}`, b.code];
      from = (b.upTo ?? 0) + 1;
      return row;
    });
    expect(table('LOS')).toEqual(expected);
  });

  it('states AGE bands from 12', () => {
    let from = AGE_MIN;
    const expected = AGE_BANDS.map((b) => {
      const row: [string, number] = [b.upTo === null ? `${from} and over` : `${from}–${b.upTo}`, b.code];
      from = (b.upTo ?? 0) + 1;
      return row;
    });
    expect(table('AGE')).toEqual(expected);
  });

  it('states REASON, SERVICES_D, GENDER and FREQ1_D in the mapping table', () => {
    expect(section).toContain(`| \`REASON\` | \`discharge_reason\` | ${Object.entries(REASON).map(([k, v]) => `\`${k}\` ${v}`).join(', ')} |`);
    expect(section).toContain(`${Object.entries(SERVICES_D).map(([k, v]) => `\`${k}\` ${v}`).join(', ')}, none ${SERVICES_D_DEFAULT} |`);
    expect(section).toContain(`| \`GENDER\` | \`patients.sex\` | ${Object.entries(GENDER).map(([k, v]) => `\`${k}\` ${v}`).join(', ')} |`);
    expect(section).toContain(`last self-report from discharge − ${FREQ1_D_WINDOW_DAYS} days to the discharge day | 0 days → 1 (no use), 1–${DAILY_USE_DAYS - 1} → 2 (some use), ${DAILY_USE_DAYS} → 3 (daily use), no report → −9 |`);
  });

  it('states only RACE, ETHNIC and SUB1 mappings the module makes, and documents every code', () => {
    for (const [label, codes] of [['RACE', RACE], ['ETHNIC', ETHNIC], ['SUB1', SUB1]] as const) {
      const stated = paragraph(label);
      for (const [name, code] of stated) expect([label, name, codes[name]]).toEqual([label, name, code]);
      expect([...new Set(stated.values())].sort((a, b) => a - b), label).toEqual([...new Set(Object.values(codes))].sort((a, b) => a - b));
    }
  });

  it('states the secret length the export requires', () => {
    expect(section).toContain(`shorter than ${EXPORT_SECRET_MIN_LENGTH} characters`);
  });
});
