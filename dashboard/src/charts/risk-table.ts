import { groupLabel, shownGroups } from '../format';
import type { CurvePoint } from '../types';
import { dataTable, emptyState, NO_DATA, type ChartOptions } from './common';
import type { KmData } from './km-curve';

export const DEFAULT_RISK_DAYS = [0, 30, 60, 90, 120, 180];

/**
 * Episodes at risk at day t: nobody leaves the risk set between curve rows, so it is the at_risk of
 * the first row on or after t. Past the last row the curve has ended (or was cut by suppression), so
 * the number is unknown and left out rather than guessed.
 */
export function atRiskAt(curve: readonly CurvePoint[], n: number | null | undefined, day: number): number | null {
  if (day === 0) return n ?? curve[0]?.at_risk ?? null;
  const row = curve.find((p) => p.day >= day);
  return row ? row.at_risk : null;
}

export interface RiskRow {
  group: string;
  [day: `day_${number}`]: number | null;
}

export function riskRows(data: KmData, days: readonly number[] = DEFAULT_RISK_DAYS): RiskRow[] {
  return shownGroups(data.groups)
    .filter((g) => (g.curve?.length ?? 0) > 0)
    .map((g) => {
      const row: RiskRow = { group: groupLabel(g.key) };
      for (const d of days) row[`day_${d}`] = atRiskAt(g.curve ?? [], g.n, d);
      return row;
    });
}

/** The number-at-risk table printed under a Kaplan–Meier plot. */
export function riskTable(data: KmData, opts: ChartOptions & { days?: readonly number[] } = {}): HTMLElement {
  const doc = opts.document ?? document;
  const days = opts.days ?? DEFAULT_RISK_DAYS;
  const rows = riskRows(data, days);
  if (rows.length === 0) return emptyState(NO_DATA, doc);
  const table = dataTable(doc, {
    className: 'risk-table',
    caption: 'Number at risk, by day since start',
    columns: ['Group', ...days.map((d) => `Day ${d}`)],
    rows: rows.map((r) => ({
      label: r.group,
      cells: days.map((d) => {
        const td = doc.createElement('td');
        const v = r[`day_${d}`];
        td.textContent = v === null || v === undefined ? '–' : String(v);
        return td;
      }),
    })),
  });
  return table;
}
