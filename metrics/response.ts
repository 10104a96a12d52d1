import type { DefinitionText } from './definition-text';
import type { MetricFilters } from './filters';
import { echoListFilters } from './filters';
import { compareKeys, groupKey, keyParts } from './group-key';
import type { EchoedFilters, GroupKey, MetricName, MetricResponse, SuppressedGroup, GroupOf, LogRankOut } from './types';
import { cellId, suppressTable } from './stats/table-suppression';

/** The CMS cell-size rule as the definition block states it (docs/metrics.md "Small-cell suppression"). */
export function suppressionRule(minCell: number): { min_cell: number; rule: string; source: string } {
  return {
    min_cell: minCell,
    rule: minCell <= 1
      ? 'off: no count is suppressed'
      : `counts 1-${minCell - 1} are suppressed with every rate, mean, CI and curve point computed from them; ` +
        'a rate also hides when its complement (n - x) is small; complementary suppression within rows with a published total; ' +
        `KM curves coarsened into steps of 0 or >= ${minCell} events and censorings; groups with n < ${minCell} are suppressed whole; ` +
        'when exactly one group of a row or column of groups (or of the groups of a one-way table) is suppressed, the next smallest is suppressed whole too; zero is never suppressed',
    source: 'CMS cell size suppression policy (cells of 1-10 are not published)',
  };
}

/**
 * The filters a response echoes: `group_by` as the one dimension (as round 1 did) or the
 * pair of a two-way table, and each list filter only when the request gave it.
 */
export function echoFilters(f: MetricFilters, extra: Partial<EchoedFilters> = {}): EchoedFilters {
  const groupBy = f.group_by.length === 1 ? f.group_by[0] as EchoedFilters['group_by'] : [...f.group_by] as EchoedFilters['group_by'];
  return { track: f.track, from: f.from, to: f.to, group_by: groupBy, period: f.period, ...echoListFilters(f), ...extra };
}

/**
 * The strata suppressed whole (docs/metrics.md "Small-cell suppression"): a group with
 * n < min_cell, and the complements that keep a single one from being differenced out
 * of a row, a column or the margins of the table (metrics/stats/table-suppression.ts;
 * a one-way grouping is the table of one column).
 */
export function hiddenGroups(f: Pick<MetricFilters, 'group_by'>, minCell: number, sizes: ReadonlyMap<string, number>): Set<string> {
  const cells = [...sizes].map(([grp, n]) => {
    const [row = '', col = ''] = keyParts(f.group_by, grp);
    return { grp, row, col, n };
  });
  const hidden = suppressTable(cells, minCell).cells;
  return new Set(cells.filter((c) => hidden.has(cellId(c.row, c.col))).map((c) => c.grp));
}

/**
 * Builds `groups` ordered by key: a group `hiddenGroups` names becomes
 * `{key, suppressed: ["all"]}` (docs/metrics.md), others are built by `build`.
 */
export function buildGroups<G>(
  f: MetricFilters,
  minCell: number,
  sizes: ReadonlyMap<string, number>,
  build: (grp: string, key: GroupKey, n: number) => G,
): (G | SuppressedGroup)[] {
  const hidden = hiddenGroups(f, minCell, sizes);
  return [...sizes.keys()]
    .sort((a, b) => compareKeys(f.group_by, a, b))
    .map((grp) => {
      const key = groupKey(f.group_by, grp);
      const n = sizes.get(grp) ?? 0;
      if (hidden.has(grp)) return { key, suppressed: ['all'] } satisfies SuppressedGroup;
      return build(grp, key, n);
    });
}

export function respond<M extends MetricName>(parts: {
  metric: M;
  filters: MetricFilters;
  minCell: number;
  echo: EchoedFilters;
  /** The family's rules, with `text`: the same rules in sentences (metrics/definition-text.ts). */
  definition: Record<string, unknown> & { text: DefinitionText };
  groups: (GroupOf<M> | SuppressedGroup)[];
  logRank?: LogRankOut | null;
}): MetricResponse<M> {
  const suppressed = parts.groups.some((g) => 'suppressed' in g && Array.isArray(g.suppressed) && g.suppressed.length > 0);
  // MetricResponse<M> is a lookup into one type per family; TypeScript cannot narrow that
  // lookup for a generic M, so the object built for M is asserted to be M's response.
  const response = {
    metric: parts.metric,
    as_of: parts.filters.as_of,
    min_cell: parts.minCell,
    filters: parts.echo,
    definition: parts.definition,
    groups: parts.groups,
    ...(parts.logRank === undefined ? {} : { log_rank: parts.logRank }),
    suppressed,
  };
  return response as MetricResponse<M>;
}
