import { isSmall, suppressCounts } from './stats/suppression';
import { wilson } from './stats/wilson';
import type { Interval } from './types';

export interface Rate {
  rate: number | null;
  ci: Interval | null;
}

/**
 * The small-cell bookkeeping of one group (docs/metrics.md "Small-cell suppression"):
 * it hides counts of 1…min_cell−1 and whatever is computed from them, and records
 * the names of the hidden fields for the group's `suppressed` list.
 */
export class Cells {
  private readonly hidden: string[] = [];

  constructor(readonly minCell: number) {}

  isSmall(count: number): boolean {
    return isSmall(count, this.minCell);
  }

  hide(...names: string[]): void {
    for (const name of names) if (!this.hidden.includes(name)) this.hidden.push(name);
  }

  /** The count, or null (and recorded) when it is small. */
  count(name: string, value: number): number | null {
    if (!this.isSmall(value)) return value;
    this.hide(name);
    return null;
  }

  /**
   * x/n with its Wilson interval. A published rate with a published (or known)
   * denominator reveals both x and n − x, so it is hidden when any of x, n − x or
   * n is small. n = 0 gives null without suppression: there is nothing to hide.
   */
  rate(names: readonly string[], x: number, n: number): Rate {
    if (n === 0) return { rate: null, ci: null };
    if (this.isSmall(x) || this.isSmall(n - x) || this.isSmall(n)) {
      this.hide(...names);
      return { rate: null, ci: null };
    }
    return { rate: x / n, ci: wilson(x, n) };
  }

  /**
   * A row of counts with a published total (reasons of discharge, JT classes):
   * primary and complementary suppression from stats/suppression. Hidden keys are
   * recorded as `<prefix>.<key>`.
   */
  row(prefix: string, counts: Record<string, number>, total: number | null): Record<string, number | null> {
    const hiddenKeys = suppressCounts(counts, total, this.minCell);
    const out: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(counts)) {
      if (hiddenKeys.has(key)) {
        this.hide(`${prefix}.${key}`);
        out[key] = null;
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  isHidden(name: string): boolean {
    return this.hidden.includes(name);
  }

  get any(): boolean {
    return this.hidden.length > 0;
  }

  list(): string[] {
    return [...this.hidden];
  }
}

/** Attaches `suppressed` only when something was hidden, so clean groups stay clean. */
export function withSuppressed<G extends object>(group: G, cells: Cells): G & { suppressed?: string[] } {
  return cells.any ? { ...group, suppressed: cells.list() } : group;
}
