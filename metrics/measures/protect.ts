import { DISCLOSURE_RULE, roundToBase } from '../disclosure';
import { wilson } from '../stats/wilson';
import { MEASURES } from './registry';
import type { MeasureGroup, MeasureResponse, MeasureSuppressedGroup, NamedRate } from './schema';
import type { MeasureSpec } from './spec';

/**
 * Disclosure control of a measure for roles below analyst (docs/measures.md
 * "Suppression"), after small-cell suppression has run on the exact counts, as
 * metrics/disclosure.ts does for the metrics: every count rounded to base 5 on its own,
 * every rate recomputed from the rounded numerator and denominator with their Wilson CI,
 * and the counts in the notes rounded too. Rows never reach these roles.
 */

const r5 = (n: number | null): number | null => (n === null ? null : roundToBase(n));

export const MEASURE_DISCLOSURE = {
  ...DISCLOSURE_RULE,
  measures: 'initial population, denominator, exclusions, window_open, numerators and labels rounded to base 5 on their own; rates = rounded numerator / rounded denominator with their Wilson CI',
};

function rate(numerator: number | null, denominator: number | null): Pick<NamedRate, 'rate' | 'rate_ci'> {
  if (numerator === null || denominator === null || denominator === 0) return { rate: null, rate_ci: null };
  const x = Math.min(numerator, denominator);
  return { rate: x / denominator, rate_ci: wilson(x, denominator) };
}

function protectGroup(g: MeasureGroup | MeasureSuppressedGroup, spec?: MeasureSpec): MeasureGroup | MeasureSuppressedGroup {
  if (!('initial_population' in g)) return g;
  const denominator = r5(g.denominator);
  const numerator = r5(g.numerator);
  const primary = g.rate === null ? { rate: null, rate_ci: null } : rate(numerator, denominator);
  const out: MeasureGroup = {
    ...g,
    initial_population: roundToBase(g.initial_population),
    denominator, exclusions: r5(g.exclusions), window_open: r5(g.window_open), numerator,
    ...primary,
    labels: Object.fromEntries(Object.entries(g.labels).map(([k, v]) => [k, r5(v)])),
  };
  // The measure's own statistics (noms domains…) by its own rule.
  if (g.statistics && spec?.discloseStatistics) out.statistics = spec.discloseStatistics(g.statistics);
  if (g.rates) {
    out.rates = Object.fromEntries(Object.entries(g.rates).map(([k, v]) => {
      const x = r5(v.numerator);
      return [k, { numerator: x, ...(v.rate === null ? { rate: null, rate_ci: null } : rate(x, denominator)) }];
    }));
  }
  return out;
}

/** Rounds the whole numbers written in a note ("23 episodes …" → "25 episodes …"). */
function protectNote(note: string): string {
  return note.replace(/\b(\d+)( episodes?)/g, (_m, n: string, rest: string) => `${roundToBase(Number(n))}${rest}`);
}

export function protectMeasure(r: MeasureResponse): MeasureResponse {
  const { rows: _rows, ...rest } = r;
  return {
    ...rest,
    definition: { ...r.definition, disclosure: MEASURE_DISCLOSURE },
    groups: r.groups.map((g) => protectGroup(g, MEASURES[r.measure])),
    strata: r.strata.map((g) => protectGroup(g, MEASURES[r.measure])),
    notes: r.notes.map(protectNote),
  };
}
