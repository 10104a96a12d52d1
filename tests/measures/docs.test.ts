import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeListPattern, matchesCodeList } from '../../metrics/measures/codes';
import { MEASURES } from '../../metrics/measures/registry';
import {
  DEATH_DISCHARGE_REASON, DEPRESSION_AGE_STRATA, DEPRESSION_DIAGNOSES, DEPRESSION_EXCLUDED_DIAGNOSES,
  DEPRESSION_INDEX_ABOVE, DEPRESSION_MIN_AGE, DEPRESSION_REMISSION_BELOW, DEPRESSION_WINDOWS,
} from '../../warehouse/measure-rules';
import { BASELINE_FROM, BASELINE_TO, RESPONSE_FRACTION } from '../../warehouse/rules';

// docs/measures.md states the rules of warehouse/measure-rules.ts: this test fails when a constant
// moves and the page does not.
const doc = readFileSync(path.join(import.meta.dirname, '../../docs/measures.md'), 'utf8');

describe('docs/measures.md', () => {
  it('states every depression window, threshold and code list', () => {
    for (const [name, w] of Object.entries(DEPRESSION_WINDOWS)) {
      const spec = MEASURES[name as keyof typeof DEPRESSION_WINDOWS];
      expect(doc).toContain(`| \`${name}\` | ${spec?.source} | ${w.months} months after the index date, ± ${w.days} days |`);
    }
    expect(doc).toContain(`index score above ${DEPRESSION_INDEX_ABOVE}`);
    expect(doc).toContain(`aged ${DEPRESSION_MIN_AGE} or over`);
    expect(doc).toContain(`last score below ${DEPRESSION_REMISSION_BELOW}`);
    expect(doc).toContain(`at most ${RESPONSE_FRACTION * 100}% of the index score`);
    expect(doc).toContain(`from ${-BASELINE_FROM} days before to ${BASELINE_TO} days after admission`);
    for (const code of [...DEPRESSION_DIAGNOSES, ...DEPRESSION_EXCLUDED_DIAGNOSES]) expect(doc).toContain(`\`${code}\``);
    expect(doc).toContain(`reason \`${DEATH_DISCHARGE_REASON}\``);
    expect(doc).toContain(`ages ${DEPRESSION_AGE_STRATA.map((s) => s.band.replace('-', '–')).join(' and ')}`);
  });
});

describe('code lists', () => {
  it('match a category and its codes, a range, and a code with its subcodes, and nothing else', () => {
    expect(codeListPattern(['F32.*'])).toBe('^(F32(\\..*)?)$');
    const inList = (c: string) => matchesCodeList(c, DEPRESSION_EXCLUDED_DIAGNOSES);
    for (const c of ['F20', 'F20.9', 'F25.0', 'F29', 'F30.10', 'F31.9', 'F34.0', 'F60.3', 'F84.0']) expect(inList(c), c).toBe(true);
    for (const c of ['F19.20', 'F2', 'F200', 'F34.1', 'F34.8', 'F60.2', 'F83', 'F85']) expect(inList(c), c).toBe(false);
    for (const c of ['F32', 'F32.A', 'F33.1', 'F34.1']) expect(matchesCodeList(c, DEPRESSION_DIAGNOSES), c).toBe(true);
    expect(() => codeListPattern(['F2*'])).toThrow(/bad code list entry/);
  });
});
