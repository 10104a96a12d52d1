import { describe, expect, it, vi } from 'vitest';
import { attendanceDefinition } from '../../metrics/attendance/definition';
import { completionDefinition } from '../../metrics/completion/definition';
import { parseFilters } from '../../metrics/filters';
import { relapseDefinition } from '../../metrics/relapse/definition';
import { retentionDefinition } from '../../metrics/retention/definition';
import type { InstrumentRow } from '../../metrics/symptoms';
import { symptomsDefinition } from '../../metrics/symptoms/definition';

/**
 * Issue 14 "one definition per rule": the plain sentences of every definition block are
 * generated from the block, which reads warehouse/rules.ts. Each rule is replaced here by
 * a value it never has; the sentences must then state that value, so moving a window in
 * warehouse/rules.ts moves the text and no sentence keeps a copy of the old number.
 */
const SENTINEL = vi.hoisted(() => ({
  DISCHARGE_REASONS: ['completed', 'transferred', 'walked_out', 'moved_away'],
  POSITIVE_REASONS: ['completed', 'stepped_down'],
  DROPOUT_REASONS: ['walked_out', 'went_missing'],
  LOST_TO_FOLLOW_UP_DAYS: 101,
  RETENTION_DAYS: ['203', '304'],
  INITIATION_DAYS: 405,
  ENGAGEMENT_SESSIONS: 506,
  ENGAGEMENT_DAYS: 607,
  END_OF_TREATMENT_DAYS: 708,
  BASELINE_FROM: -809,
  BASELINE_TO: 910,
  FOLLOWUP_MIN_GAP: 1011,
  FOLLOWUP_AFTER_DISCHARGE: 1112,
  RESPONSE_FRACTION: 0.37,
  LAST_WEEK: 1213,
}));
vi.mock('../../warehouse/rules', async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), ...SENTINEL }));

const PHQ9: InstrumentRow = { code: 'PHQ-9', higher_is_better: false, reliable_change_points: 6, reliability: null, norm_sd: null, clinical_cutoff: 10, remission_below: 5, min_score: 0, max_score: 27 };
const parsed = parseFilters({});
if (!parsed.ok) throw new Error('default filters must parse');
const blocks = [retentionDefinition(11), completionDefinition(11), attendanceDefinition(11), symptomsDefinition(PHQ9, 11), relapseDefinition(parsed.filters, 11)];
const text = blocks.flatMap((b) => Object.values(b.text)).join('\n');

/** How a sentence states a rule's value: a code in words, a fraction as a percentage, a day count without its sign. */
function spelled(value: string | number): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(Math.abs(value)) : `${Math.round(value * 100)}%`;
  return value.replaceAll('_', ' ');
}

describe('the definition text generated from warehouse/rules.ts', () => {
  for (const [name, value] of Object.entries(SENTINEL)) {
    it(`states ${name} as the rules module sets it`, () => {
      for (const v of Array.isArray(value) ? value : [value]) {
        expect(text, `${name} = ${String(v)}`).toMatch(new RegExp(`(^|[^\\d])${spelled(v).replace(/[.*+?^${}()|[\]\\%]/g, '\\$&')}($|[^\\d])`));
      }
    });
  }

  it('states the end-of-treatment window from its first day (discharge − (days − 1))', () => {
    expect(text).toContain(`from ${SENTINEL.END_OF_TREATMENT_DAYS - 1} days before discharge to discharge`);
  });

  it('names no internal file in any sentence', () => {
    expect(text).not.toMatch(/\.ts\b|\.md\b|warehouse\/|metrics\//);
  });
});
