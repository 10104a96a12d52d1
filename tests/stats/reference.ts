import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { CountRow } from '../../metrics/stats/kaplan-meier';

/**
 * Reads a published reference CSV from tests/reference/published (a copy of the team's
 * shared/reference, with its README of sources), as records of strings.
 */
export function readReference(name: string): Record<string, string>[] {
  const url = new URL(`../reference/published/${name}`, import.meta.url);
  return parse(readFileSync(url, 'utf8'), { columns: true, skip_empty_lines: true });
}

/** One count row per subject: what an SQL group-by would hand over, before summing. */
export function subjectRows(times: readonly number[], status: readonly number[]): CountRow[] {
  return times.map((day, i) => ({ day, events: status[i] === 1 ? 1 : 0, censored: status[i] === 1 ? 0 : 1 }));
}

/** |actual − printed| within half a unit of the printed number's last decimal. */
export function matchesPrinted(actual: number | null, printed: string): boolean {
  if (actual === null) return false;
  const decimals = printed.split('.')[1]?.length ?? 0;
  return Math.abs(actual - Number(printed)) <= 0.5 * 10 ** -decimals + 1e-12;
}
