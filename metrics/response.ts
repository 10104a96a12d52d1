import type { DefinitionText } from './definition-text';
import type { MetricFilters } from './filters';
import { compareKeys, groupKey } from './group-key';
import type { EchoedFilters, GroupKey, MetricName, MetricResponse, SuppressedGroup, GroupOf, LogRankOut } from './types';
import { isSmall } from './stats/suppression';

/** The CMS cell-size rule as the definition block states it (docs/metrics.md "Small-cell suppression"). */
export function suppressionRule(minCell: number): { min_cell: number; rule: string; source: string } {
  return {
    min_cell: minCell,
    rule: minCell <= 1
      ? 'off: no count is suppressed'
      : `counts 1-${minCell - 1} are suppressed with every rate, mean, CI and curve point computed from them; ` +
        'a rate also hides when its complement (n - x) is small; complementary suppression within rows with a published total; ' +
        `KM curves coarsened into steps of 0 or >= ${minCell} events and censorings; groups with n < ${minCell} are suppressed whole; zero is never suppressed`,
    source: 'CMS cell size suppression policy (cells of 1-10 are not published)',
  };
}

export function echoFilters(f: MetricFilters, extra: Partial<EchoedFilters> = {}): EchoedFilters {
  return { track: f.track, from: f.from, to: f.to, group_by: f.group_by, period: f.period, ...extra };
}

/**
 * Builds `groups` ordered by key: a group with n < min_cell becomes
 * `{key, suppressed: ["all"]}` (docs/metrics.md), others are built by `build`.
 */
export function buildGroups<G>(
  f: MetricFilters,
  minCell: number,
  sizes: ReadonlyMap<string, number>,
  build: (grp: string, key: GroupKey, n: number) => G,
): (G | SuppressedGroup)[] {
  return [...sizes.keys()]
    .sort((a, b) => compareKeys(f.group_by, a, b))
    .map((grp) => {
      const key = groupKey(f.group_by, grp);
      const n = sizes.get(grp) ?? 0;
      if (isSmall(n, minCell)) return { key, suppressed: ['all'] } satisfies SuppressedGroup;
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
