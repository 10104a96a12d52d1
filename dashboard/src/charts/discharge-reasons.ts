import { groupLabel, isGroupSuppressed } from '../format';
import { OKABE_ITO } from '../palette';
import type { CompletionResponse } from '../types';
import { emptyState, isNumber, NO_DATA, shareBars, type ChartElement, type ChartOptions } from './common';

const REASON_ORDER = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'other'];
const SUPPRESSED = 'suppressed (<min cell)';

export interface ReasonRow {
  group: string;
  reason: string;
  count: number;
}

function reasonRank(r: string): number {
  const i = REASON_ORDER.indexOf(r);
  return r === SUPPRESSED ? 1000 : i === -1 ? 500 : i;
}

/**
 * One row per group and reason. Suppressed reason counts are pooled into one "suppressed" segment
 * (discharged − the known counts); complementary suppression ensures that pool never reveals a
 * single small count (docs/metrics.md "Small-cell suppression").
 */
export function reasonRows(data: CompletionResponse): ReasonRow[] {
  const rows: ReasonRow[] = [];
  for (const g of data.groups) {
    if (isGroupSuppressed(g) || !g.reasons) continue;
    const group = groupLabel(g.key);
    let known = 0;
    for (const [reason, count] of Object.entries(g.reasons)) {
      if (!isNumber(count) || count === 0) continue;
      known += count;
      rows.push({ group, reason, count });
    }
    if (isNumber(g.discharged) && g.discharged > known) rows.push({ group, reason: SUPPRESSED, count: g.discharged - known });
  }
  return rows.sort((a, b) => a.group.localeCompare(b.group) || reasonRank(a.reason) - reasonRank(b.reason));
}

/** Discharge reasons as 100% stacked bars, one bar per group. */
export function dischargeReasonsChart(data: CompletionResponse, opts: ChartOptions = {}): ChartElement {
  const rows = reasonRows(data);
  const hidden = data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key));
  if (rows.length === 0 && hidden.length === 0) return emptyState(NO_DATA, opts.document);
  const reasons = [...new Set(rows.map((r) => r.reason))].sort((a, b) => reasonRank(a) - reasonRank(b));
  const colours = reasons.map((r, i) => (r === SUPPRESSED ? '#DDDDDD' : (OKABE_ITO[i % OKABE_ITO.length] ?? '#777')));
  return shareBars(
    rows,
    {
      part: 'reason',
      order: reasons,
      colours,
      xLabel: 'Share of discharged episodes (%) →',
      title: (d: ReasonRow) => `${d.group}: ${d.reason.replaceAll('_', ' ')} ${d.count}`,
      hidden, minCell: data.min_cell,
    },
    opts,
  );
}
