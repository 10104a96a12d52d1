import { groupLabel, isGroupSuppressed } from '../format';
import { CLASS_COLOURS } from '../palette';
import type { SymptomsResponse } from '../types';
import { emptyState, isNumber, NO_DATA, shareBars, type ChartElement, type ChartOptions } from './common';

export const JT_CLASSES = ['recovered', 'improved', 'unchanged', 'deteriorated'] as const;
const SUPPRESSED = 'suppressed';

export interface ClassRow {
  group: string;
  class: string;
  count: number;
  paired: number | null;
}

/**
 * Class counts per group. Suppressed classes are pooled as paired − the known classes, which
 * complementary suppression keeps from revealing any one count. `recovered` is null without a
 * cutoff (not suppressed): then it is simply absent.
 */
export function classRows(data: SymptomsResponse): ClassRow[] {
  const rows: ClassRow[] = [];
  for (const g of data.groups) {
    if (isGroupSuppressed(g) || !g.classes) continue;
    const group = groupLabel(g.key);
    const paired = isNumber(g.paired) ? g.paired : null;
    let known = 0;
    for (const c of JT_CLASSES) {
      const count = g.classes[c];
      if (!isNumber(count)) continue;
      known += count;
      rows.push({ group, class: c, count, paired });
    }
    if (paired !== null && paired > known) rows.push({ group, class: SUPPRESSED, count: paired - known, paired });
  }
  return rows;
}

/** Jacobson–Truax classes as 100% stacked bars, one per group. */
export function jtClassesChart(data: SymptomsResponse, opts: ChartOptions = {}): ChartElement {
  const rows = classRows(data).filter((r) => r.count > 0);
  const hidden = data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key));
  if (rows.length === 0 && hidden.length === 0) return emptyState(NO_DATA, opts.document);
  const domain = [...JT_CLASSES, SUPPRESSED].filter((c) => rows.some((r) => r.class === c));
  return shareBars(
    rows,
    {
      part: 'class',
      order: domain,
      colours: domain.map((c) => CLASS_COLOURS[c] ?? '#777'),
      xLabel: 'Share of paired episodes (%) →',
      title: (d: ClassRow) => `${d.group}: ${d.class} ${d.count}${d.paired === null ? '' : ` of ${d.paired} paired`}`,
      hidden, minCell: data.min_cell,
    },
    opts,
  );
}
