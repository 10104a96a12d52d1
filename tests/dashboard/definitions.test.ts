import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  abstinenceByWeekDefinition, attendanceByWeekDefinition, dischargeReasonsDefinition, ietDefinition, jtClassesDefinition, jtScatterDefinition,
  kmRelapseDefinition, kmRetentionDefinition, overviewDefinition, relapseRateDefinition, trajectoryDefinition,
} from '../../dashboard/src/chart-definitions';
import * as RULES from '../../warehouse/rules';
import { fixtures } from './helpers';

/**
 * Issue 14: the dashboard keeps no copy of a metric's definition. Every chart's
 * definition is read from the sentences its response carries (`definition.text`),
 * so a window moved in the metrics reaches the page with no dashboard change.
 */
describe('the definition under each chart', () => {
  const cards: [string, () => { text: string; sentences: Record<string, string> }][] = [
    ['km-retention', () => { const r = fixtures.retention(); return { text: kmRetentionDefinition(r), sentences: r.definition.text }; }],
    ['discharge-reasons', () => { const c = fixtures.completion(); return { text: dischargeReasonsDefinition(c), sentences: c.definition.text }; }],
    ['trajectory', () => { const s = fixtures.symptoms(); return { text: trajectoryDefinition(s), sentences: s.definition.text }; }],
    ['jt-classes', () => { const s = fixtures.symptoms(); return { text: jtClassesDefinition(s), sentences: s.definition.text }; }],
    ['jt-scatter', () => { const s = fixtures.symptoms(); return { text: jtScatterDefinition(s), sentences: s.definition.text }; }],
    ['abstinence-by-week', () => { const r = fixtures.relapse(); return { text: abstinenceByWeekDefinition(r), sentences: r.definition.text }; }],
    ['relapse-rate', () => { const r = fixtures.relapse(); return { text: relapseRateDefinition(r), sentences: r.definition.text }; }],
    ['km-relapse', () => { const r = fixtures.relapse(); return { text: kmRelapseDefinition(r), sentences: r.definition.text }; }],
    ['attendance-by-week', () => { const a = fixtures.attendance(); return { text: attendanceByWeekDefinition(a), sentences: a.definition.text }; }],
    ['iet', () => { const a = fixtures.attendance(); return { text: ietDefinition(a), sentences: a.definition.text }; }],
  ];

  for (const [name, card] of cards) {
    it(`${name}: is made of sentences of its response`, () => {
      const { text, sentences } = card();
      expect(Object.values(sentences).some((s) => text.includes(s))).toBe(true);
      expect(text).not.toMatch(/undefined|null/);
    });
  }

  it('shows the IET windows the response states (a moved window moves the text)', () => {
    const a = fixtures.attendance();
    a.definition.text.initiation = 'Initiation: an attended session on days 0 to 13 of the first contact.';
    expect(ietDefinition(a)).toContain('days 0 to 13 of the first contact');
    expect(ietDefinition(fixtures.attendance())).toContain(`days 0 to ${RULES.INITIATION_DAYS} counted from the first contact`);
  });

  it('builds the overview from the four responses it shows', () => {
    const input = { retention: fixtures.retention(), completion: fixtures.completion(), symptoms: fixtures.symptoms(), relapse: fixtures.relapse() };
    const text = overviewDefinition(input);
    for (const part of [input.completion.definition.text.completion_rate, input.retention.definition.text.event, input.symptoms.definition.text.reliable_change, input.relapse.definition.text.abstinence_rate]) {
      expect(text).toContain(part);
    }
    expect(text).toContain('PHQ-9 reliable improvement');
  });

  it('are written nowhere in the dashboard source with a rule constant', () => {
    // The windows of warehouse/rules.ts, as the old hand-written definitions spelled them.
    const spelled = [`within ${RULES.INITIATION_DAYS} days`, `within ${RULES.ENGAGEMENT_DAYS} days`, `weeks 0–${RULES.LAST_WEEK}`,
      `${RULES.LOST_TO_FOLLOW_UP_DAYS} days before`, `admission − ${-RULES.BASELINE_FROM} days`, `≥ ${RULES.FOLLOWUP_MIN_GAP} days`];
    const src = path.join(import.meta.dirname, '../../dashboard/src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const found = files.flatMap((f) => spelled.filter((s) => readFileSync(path.join(src, f), 'utf8').includes(s)).map((s) => `${f}: ${s}`));
    expect(found).toEqual([]);
  });
});
