import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { followupDefinition } from '../../metrics/measures/followup-6m';
import { FOLLOWUP_LABELS, FOLLOWUP_TARGET_RATE, FOLLOWUP_WINDOW_MONTHS, INTERVIEW_STATUSES, INTERVIEW_TYPES, NOMS_DOMAINS, NOMS_DOMAIN_NAMES } from '../../warehouse/followup-rules';

// docs/funder-reporting.md states the follow-up rules; this holds it to the constants of
// warehouse/followup-rules.ts that the measures and the ingest read.
const DOC = readFileSync(new URL('../../docs/funder-reporting.md', import.meta.url), 'utf8');
const section = (title: string) => DOC.split(`## ${title}`)[1]?.split('\n## ')[0] ?? '';

describe('docs/funder-reporting.md', () => {
  it('has the three follow-up sections', () => {
    for (const t of ['Loading interviews', 'Six-month follow-up', 'NOMs']) expect(section(t), t).not.toBe('');
  });

  it('states the window and the target as the rules do', () => {
    const s = section('Six-month follow-up');
    expect(s).toContain(`from ${FOLLOWUP_WINDOW_MONTHS.from} months to ${FOLLOWUP_WINDOW_MONTHS.to} months after the intake, both days included`);
    expect(s).toContain(`at least ${FOLLOWUP_TARGET_RATE * 100}% of intakes`);
    expect(s).toContain(`target_rate: ${FOLLOWUP_TARGET_RATE}`);
    expect(followupDefinition()).toMatchObject({ target_rate: FOLLOWUP_TARGET_RATE, window_months: FOLLOWUP_WINDOW_MONTHS });
  });

  it('lists every label in first-match order', () => {
    const rows = section('Six-month follow-up').split('\n').filter((l) => /^\| `[a-z_]+` \|/.test(l)).map((l) => /^\| `([a-z_]+)`/.exec(l)?.[1]);
    expect(rows).toEqual([...FOLLOWUP_LABELS]);
  });

  it('lists every NOMs domain with its column and positive answer', () => {
    const rows = section('NOMs').split('\n').filter((l) => /^\| `[a-z_]+` \|/.test(l));
    expect(rows.map((l) => /^\| `([a-z_]+)`/.exec(l)?.[1])).toEqual(NOMS_DOMAIN_NAMES);
    NOMS_DOMAIN_NAMES.forEach((d, i) => {
      const { column, positive } = NOMS_DOMAINS[d];
      const want = typeof positive === 'number' ? `\`${column}\` = ${positive}` : `\`${column}\` is ${positive ? 'yes' : 'no'}`;
      expect(rows[i], d).toContain(want);
    });
  });

  it('names every interview type and status', () => {
    const s = section('Loading interviews');
    for (const v of [...INTERVIEW_TYPES, ...INTERVIEW_STATUSES]) expect(s).toContain(`\`${v}\``);
  });
});
