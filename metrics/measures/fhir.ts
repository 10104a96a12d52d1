import type { MeasureGroup, MeasureResponse, MeasureSuppressedGroup } from './schema';

/**
 * A measure response as a FHIR R4 MeasureReport (docs/measures.md "FHIR"): status
 * complete, type summary, period = the index-date range (from, to; to defaults to as_of),
 * one group with the populations initial-population, denominator, denominator-exclusion
 * and numerator and the measureScore, and one stratifier per grouping (the request's
 * group_by, then the measure's age strata).
 *
 * FHIR's proportion scoring is numerator / (denominator − denominator-exclusion), so the
 * report's `denominator` is the response's denominator plus its exclusions: the episodes
 * whose window has closed (window_open episodes are outside the FHIR denominator, as an
 * episode outside the measurement period is). A suppressed count is left without `count`
 * and a suppressed rate without `measureScore`.
 */

const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
/** The canonical URL of a measure in this product: a URN, since the program adaptations are not published Measures. */
export const MEASURE_CANONICAL = 'urn:iop-outcomes:measure:';

interface Coding { system: string; code: string; display?: string }
interface Population { code: { coding: Coding[] }; count?: number }

function population(code: string, display: string, count: number | null): Population {
  return { code: { coding: [{ system: POPULATION_SYSTEM, code, display }] }, ...(count === null ? {} : { count }) };
}

const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

function populations(g: MeasureGroup): Population[] {
  return [
    population('initial-population', 'Initial Population', g.initial_population),
    population('denominator', 'Denominator', plus(g.denominator, g.exclusions)),
    population('denominator-exclusion', 'Denominator Exclusion', g.exclusions),
    population('numerator', 'Numerator', g.numerator),
  ];
}

function score(g: MeasureGroup): { measureScore?: { value: number } } {
  return g.rate === null ? {} : { measureScore: { value: g.rate } };
}

function stratum(g: MeasureGroup | MeasureSuppressedGroup): Record<string, unknown> {
  const value = { text: Object.values(g.key).join(', ') };
  if (!('initial_population' in g)) return { value };
  return { value, population: populations(g), ...score(g) };
}

/** The FHIR R4 MeasureReport of a measure response. */
export function measureReport(r: MeasureResponse): Record<string, unknown> {
  const from = typeof r.filters.from === 'string' ? r.filters.from : null;
  const to = typeof r.filters.to === 'string' ? r.filters.to : r.as_of;
  const groupBy = typeof r.filters.group_by === 'string' ? r.filters.group_by : 'group';
  const published = r.groups.filter((g): g is MeasureGroup => 'initial_population' in g);
  // The overall counts: the sum over the groups when none is suppressed, else withheld.
  const whole = r.groups.length === published.length;
  const sum = (f: (g: MeasureGroup) => number | null): number | null =>
    (whole && published.every((g) => f(g) !== null) ? published.reduce((s, g) => s + (f(g) ?? 0), 0) : null);
  const total: MeasureGroup = {
    key: {}, initial_population: sum((g) => g.initial_population) ?? 0,
    denominator: sum((g) => g.denominator), exclusions: sum((g) => g.exclusions), window_open: sum((g) => g.window_open),
    numerator: sum((g) => g.numerator), rate: null, rate_ci: null, labels: {}, suppressed: [],
  };
  if (total.numerator !== null && total.denominator !== null && total.denominator > 0) total.rate = total.numerator / total.denominator;
  const overall = populations(total).map((p) => (p.code.coding[0]?.code === 'initial-population' && !whole ? { code: p.code } : p));
  const stratifier = [
    { code: [{ text: groupBy }], stratum: r.groups.map(stratum) },
    ...(r.strata.length > 0 ? [{ code: [{ text: 'age_band' }], stratum: r.strata.map(stratum) }] : []),
  ];
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: `${MEASURE_CANONICAL}${r.measure}`,
    date: r.as_of,
    period: { ...(from === null ? {} : { start: from }), end: to },
    group: [{
      code: { text: `${r.measure} (${String(r.definition.source)})` },
      population: overall,
      ...score(total),
      stratifier,
    }],
  };
}
