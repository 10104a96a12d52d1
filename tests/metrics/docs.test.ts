import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attendanceDefinition, attendanceGroup } from '../../metrics/attendance';
import { completionDefinition, completionGroup } from '../../metrics/completion';
import { parseFilters } from '../../metrics/filters';
import { relapseDefinition, relapseGroup } from '../../metrics/relapse';
import { retentionDefinition, retentionGroup } from '../../metrics/retention';
import type { InstrumentRow } from '../../metrics/symptoms';
import { spcDefinition } from '../../metrics/spc/definition';
import { DISCHARGE_BASIS_SERIES, horizonOf, SPC_SERIES } from '../../metrics/spc/series';
import * as RULES from '../../warehouse/rules';
import { symptomsDefinition, symptomsGroup } from '../../metrics/symptoms';

const DOC = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const PHQ9: InstrumentRow = { code: 'PHQ-9', higher_is_better: false, reliable_change_points: 6, reliability: null, norm_sd: null, clinical_cutoff: 10, remission_below: 5, min_score: 0, max_score: 27 };

function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!/^\d+$/.test(k)) out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

function numbersOf(value: unknown, out = new Set<number>()): Set<number> {
  if (typeof value === 'number') out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => numbersOf(v, out));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => numbersOf(v, out));
  return out;
}

const parsed = parseFilters({});
if (!parsed.ok) throw new Error('default filters must parse');
const key = { track: 'day' };
const groups = [
  retentionGroup([{ day: 3, events: 1, censored: 1 }], key, 2, 0),
  completionGroup({ reasons: { completed: 1 }, los: { grp: 'day', discharged: 1, los_median: 3, los_q1: 3, los_q3: 3 } }, key, 1, 0),
  attendanceGroup({ grp: 'day', n: 1, attended: 2, no_show: 1, per_week_sum: 1, initiated: 1, engaged: 1 }, [{ grp: 'day', week: 0, attended: 2, no_show: 1 }], key, 1, 0),
  symptomsGroup({ pairs: [{ grp: 'day', baseline: 12, followup: 4, n: 2 }], withBaseline: 2, trajectory: [{ grp: 'day', week: 0, n: 2, sum: 24, sum_sq: 288 }] }, PHQ9, key, 2, 0),
  relapseGroup({
    row: { grp: 'day', tests: 3, negative: 2, with_negative: 1, relapsed: 1, eot_episodes: 1, eot_abstinent: 1 },
    km: [{ day: 4, events: 1, censored: 0 }], weeks: [{ grp: 'day', week: 0, tests: 3, negative: 2 }],
    selfReport: { grp: 'day', intake_n: 1, intake_sum: 10, latest_n: 1, latest_sum: 2, change_n: 1, change_sum: -8, change_sum_sq: 64 },
  }, key, 1, 0),
];
const definitions = [
  retentionDefinition(11), completionDefinition(11), attendanceDefinition(11), symptomsDefinition(PHQ9, 11), relapseDefinition(parsed.filters, 11),
  ...Object.values(SPC_SERIES).map((s) => spcDefinition(s, horizonOf(s, null), 11, false)),
  ...DISCHARGE_BASIS_SERIES.map((name) => spcDefinition(SPC_SERIES[name], horizonOf(SPC_SERIES[name], null, 'discharge'), 11, false, 'discharge')),
];
const TOP_LEVEL = ['metric', 'as_of', 'min_cell', 'filters', 'definition', 'groups', 'suppressed', 'log_rank', 'chi2', 'df', 'p'];

describe('docs/metrics.md documents what the code emits', () => {
  it('names every field of every metric family', () => {
    const missing = [...keysOf(groups)].filter((k) => !DOC.includes(`\`${k}\``) && !new RegExp(`\\b${k}\\b`).test(DOC));
    expect(missing).toEqual([]);
    expect(TOP_LEVEL.filter((k) => !DOC.includes(k))).toEqual([]);
  });

  it('lists the series that accept the discharge period basis ("SPC charts: Period basis")', () => {
    const names = DISCHARGE_BASIS_SERIES.map((n) => `\`${n}\``);
    expect(DOC).toContain(`Only the series whose outcome is known at discharge accept it: ${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}.`);
  });

  it('names every parameter of the definition blocks and states every numeric default', () => {
    const ignore = new Set(['suppression', 'rule', 'source']);
    const missing = [...keysOf(definitions)].filter((k) => !ignore.has(k) && !new RegExp(`\\b${k}\\b`).test(DOC));
    expect(missing).toEqual([]);
    const numbers = [...numbersOf(definitions)].filter((n) => !DOC.includes(String(n)));
    expect(numbers).toEqual([]);
  });

  it('publishes every rule of warehouse/rules.ts in a definition block, so the checks above hold the docs to it', () => {
    // derived from another rule, not a rule of its own
    const derived = new Set(['LAST_WEEK_DAY']);
    const published = numbersOf(definitions);
    const text = JSON.stringify(definitions);
    const missing: string[] = [];
    for (const [name, value] of Object.entries(RULES)) {
      if (derived.has(name) || name === 'AGE_BANDS') continue;
      const values: unknown[] = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [value];
      for (const v of values) {
        const found = typeof v === 'number' || /^\d+$/.test(String(v)) ? published.has(Number(v)) : text.includes(`"${String(v)}"`);
        if (!found) missing.push(`${name}: ${String(v)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('states every rule of warehouse/rules.ts in the plain sentences generated from the blocks (definition.text)', () => {
    // tests/metrics/definition-text.test.ts moves each rule and sees the text move; this
    // checks the values as they stand: a code in words, a fraction as a percentage.
    const text = definitions.flatMap((d) => Object.values(d.text)).join('\n');
    const spelled = (v: string | number) => (typeof v === 'number'
      ? (Number.isInteger(v) ? String(Math.abs(v)) : `${Math.round(v * 100)}%`)
      : v.replaceAll('_', ' '));
    const missing: string[] = [];
    for (const [name, value] of Object.entries(RULES)) {
      if (name === 'LAST_WEEK_DAY' || name === 'AGE_BANDS') continue;
      const values = (Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [value]) as (string | number)[];
      for (const v of values) {
        // a share may be stated to one decimal (37.7%) or rounded (38%)
        const words = typeof v === 'number' && !Number.isInteger(v) ? [spelled(v), `${Number((v * 100).toFixed(1))}%`] : [spelled(v)];
        if (!words.some((w) => new RegExp(`(^|[^\\d])${w}($|[^\\d])`).test(text))) missing.push(`${name}: ${String(v)}`);
      }
    }
    expect(missing).toEqual([]);
    expect(text).toContain(`days 0 to ${RULES.INITIATION_DAYS} counted from the first contact`);
    expect(text).toContain(`at least ${RULES.ENGAGEMENT_SESSIONS} more distinct days`);
    expect(text).toContain(`through ${RULES.ENGAGEMENT_DAYS} days after it`);
    expect(text).toContain(`more than ${RULES.LOST_TO_FOLLOW_UP_DAYS} days before the as-of date`);
    expect(text).toContain(`from ${-RULES.BASELINE_FROM} days before admission to ${RULES.BASELINE_TO} days after admission`);
    expect(text).toContain(`weeks 0–${RULES.LAST_WEEK}`);
  });

  it('states the windows and the age bands in the prose of the docs with the values of warehouse/rules.ts', () => {
    expect(DOC).toContain(RULES.AGE_BANDS.map(({ band }) => `\`${band}\``).join(', '));
    expect(DOC).toContain(`\`initiation_days\` = ${RULES.INITIATION_DAYS}`);
    expect(DOC).toContain(`\`baseline_window_days\` [${RULES.BASELINE_FROM}, ${RULES.BASELINE_TO}]`);
    expect(DOC).toContain(`\`followup_min_days_after_baseline\` = ${RULES.FOLLOWUP_MIN_GAP}`);
    expect(DOC).toContain(`\`followup_max_days_after_discharge\` = ${RULES.FOLLOWUP_AFTER_DISCHARGE}`);
    expect(DOC).toContain(`\`lost_to_follow_up_days\` = ${RULES.LOST_TO_FOLLOW_UP_DAYS}`);
  });

  it('cites the sources the issue asks for', () => {
    for (const cite of ['TEDS-D', 'HEDIS', 'Jacobson', 'IAPT', 'CMS', 'Kaplan', 'Greenwood', 'survival', 'Wilson']) expect(DOC).toContain(cite);
  });
});
