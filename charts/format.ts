import type { GroupBase, Interval, Maybe, SuppressedGroup } from './types';

/** A group's key as a label: `{track: "day"}` → "day", `{period: "2026-Q1"}` → "2026-Q1". */
export function groupLabel(key: Record<string, string>): string {
  const parts = Object.values(key).filter((v) => v !== '');
  return parts.length === 0 ? 'All' : parts.join(' · ');
}

export function pct(value: Maybe<number> | undefined, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : '–';
}

export function num(value: Maybe<number> | undefined, digits = 0): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function ciText(ci: Interval | null | undefined, format: (v: number) => string): string {
  if (!ci) return '';
  const [lo, hi] = ci;
  return `${lo === null ? '?' : format(lo)}–${hi === null ? '?' : format(hi)}`;
}

export function pValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** A group below min_cell, sent as `{key, suppressed: ["all"]}` with no other field. */
export function isGroupSuppressed<G extends GroupBase>(group: G): group is Extract<G, SuppressedGroup> {
  return group.suppressed?.includes('all') ?? false;
}

/** The groups that carry numbers: all but those suppressed whole. */
export function shownGroups<G extends GroupBase>(groups: readonly G[]): Exclude<G, SuppressedGroup>[] {
  return groups.filter((g): g is Exclude<G, SuppressedGroup> => !isGroupSuppressed(g));
}

/** The group itself when it carries numbers; undefined when it is absent or suppressed whole. */
export function shownGroup<G extends GroupBase>(group: G | undefined): Exclude<G, SuppressedGroup> | undefined {
  return group === undefined || isGroupSuppressed(group) ? undefined : (group as Exclude<G, SuppressedGroup>);
}

/** True when the API withheld the field under the small-cell rule (docs/metrics.md "Small-cell suppression"). */
export function isFieldSuppressed(group: GroupBase, field: string): boolean {
  const s = group.suppressed ?? [];
  return s.includes('all') || s.includes(field);
}

export function suppressedText(minCell: number): string {
  return `<${minCell}`;
}

export function suppressionExplanation(minCell: number): string {
  return (
    `Suppressed: this cell rests on a count between 1 and ${Math.max(minCell - 1, 1)}. ` +
    `Counts below ${minCell}, and every rate computed from them, are withheld to protect patient privacy (CMS small-cell rule).`
  );
}
