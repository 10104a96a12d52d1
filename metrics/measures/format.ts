import { csvDocument, type CsvValue } from '../csv-cell';
import type { MeasureGroup, MeasureResponse, MeasureSuppressedGroup } from './schema';

/**
 * The CSV of a measure response (docs/measures.md "Formats"), through the one CSV cell
 * writer (metrics/csv-cell.ts). Without rows: one line per group and then per stratum
 * (`part` = group | stratum), the key, the counts, the rate and its CI, every named rate
 * and every label. With rows (`rows=true`): one line per episode, the audit trail.
 */
export function measureCsv(r: MeasureResponse, labels: readonly string[]): string {
  if (r.rows) {
    const head = ['episode_id', 'patient_id', 'track', 'index_date', 'window_start', 'window_end', 'label', 'score_date', 'score'];
    return csvDocument([head, ...r.rows.map((x): CsvValue[] => [
      x.episode_id, x.patient_id, x.track, x.index_date, x.window[0], x.window[1], x.label, x.score_date, x.score,
    ])]);
  }
  const all: { part: string; g: MeasureGroup | MeasureSuppressedGroup }[] = [
    ...r.groups.map((g) => ({ part: 'group', g })), ...r.strata.map((g) => ({ part: 'stratum', g })),
  ];
  const rateNames = [...new Set(all.flatMap(({ g }) => ('rates' in g && g.rates ? Object.keys(g.rates) : [])))];
  const head = [
    'measure', 'part', 'key', 'value', 'initial_population', 'denominator', 'exclusions', 'window_open', 'numerator', 'rate', 'rate_lower', 'rate_upper',
    ...rateNames.flatMap((n) => [`${n}_numerator`, `${n}_rate`, `${n}_rate_lower`, `${n}_rate_upper`]),
    ...labels.map((l) => `labels_${l}`), 'suppressed',
  ];
  const lines = all.map(({ part, g }): CsvValue[] => {
    // a two-way table's key: both dimensions and both values, comma-joined in one cell each (`track,race` / `day,white`)
    const keyName = Object.keys(g.key).join(',');
    const keyValue = Object.values(g.key).join(',');
    if (!('initial_population' in g)) {
      return [r.measure, part, keyName, keyValue, ...Array<CsvValue>(head.length - 5).fill(null), 'all'];
    }
    return [
      r.measure, part, keyName, keyValue, g.initial_population, g.denominator, g.exclusions, g.window_open, g.numerator, g.rate,
      g.rate_ci?.[0] ?? null, g.rate_ci?.[1] ?? null,
      ...rateNames.flatMap((n) => {
        const x = g.rates?.[n];
        return [x?.numerator ?? null, x?.rate ?? null, x?.rate_ci?.[0] ?? null, x?.rate_ci?.[1] ?? null];
      }),
      ...labels.map((l) => g.labels[l] ?? null), g.suppressed.join(';'),
    ];
  });
  return csvDocument([head, ...lines]);
}
