import { Cells, withSuppressed } from '../cells';
import { kmFields } from '../km-fields';
import type { CountRow } from '../stats/kaplan-meier';
import { suppressCounts } from '../stats/suppression';
import { meanWithTInterval, summaryFromSums } from '../stats/t-interval';
import { wilson } from '../stats/wilson';
import type { RelapseGroup, RelapseWeek, SelfReport } from '../types';
import type { RelapseGroupRow, RelapseWeekRow, SelfReportRow } from './facts';

function weeks(rows: readonly RelapseWeekRow[], totals: { tests: number | null; negative: number | null }, cells: Cells): RelapseWeek[] {
  const hiddenTests = suppressCounts(Object.fromEntries(rows.map((r) => [String(r.week), r.tests])), totals.tests, cells.minCell);
  const hiddenNeg = suppressCounts(Object.fromEntries(rows.map((r) => [String(r.week), r.negative])), totals.negative, cells.minCell);
  const out = [...rows].sort((a, b) => a.week - b.week).map((r) => {
    const tests = hiddenTests.has(String(r.week)) ? null : r.tests;
    const negative = hiddenNeg.has(String(r.week)) ? null : r.negative;
    const hidden = tests === null || negative === null || cells.isSmall(r.tests - r.negative);
    const ci = hidden ? null : wilson(r.negative, r.tests);
    return { week: r.week, tests, negative, abstinence_rate: hidden || r.tests === 0 ? null : r.negative / r.tests, lower: ci?.[0] ?? null, upper: ci?.[1] ?? null };
  });
  if (out.some((w) => w.tests === null || w.negative === null || (w.abstinence_rate === null && w.tests !== 0))) cells.hide('by_week');
  return out;
}

function selfReportOut(r: SelfReportRow | undefined, cells: Cells): SelfReport {
  const intake = cells.count('self_report.intake_n', r?.intake_n ?? 0);
  const latest = cells.count('self_report.latest_n', r?.latest_n ?? 0);
  const change = cells.count('self_report.change_n', r?.change_n ?? 0);
  const ci = r && change !== null ? meanWithTInterval(summaryFromSums(r.change_n, r.change_sum ?? 0, r.change_sum_sq ?? 0)) : null;
  return {
    intake_n: intake,
    intake_mean: r && intake ? (r.intake_sum ?? 0) / intake : null,
    latest_n: latest,
    latest_mean: r && latest ? (r.latest_sum ?? 0) / latest : null,
    change_n: change,
    change_mean: ci?.mean ?? null,
    change_ci: ci && ci.lower !== null && ci.upper !== null ? [ci.lower, ci.upper] : null,
  };
}

export interface RelapseInput {
  row: RelapseGroupRow | undefined;
  km: readonly CountRow[];
  weeks: readonly RelapseWeekRow[];
  selfReport: SelfReportRow | undefined;
}

export function relapseGroup(input: RelapseInput, key: RelapseGroup['key'], n: number, minCell: number): RelapseGroup {
  const cells = new Cells(minCell);
  const r = input.row ?? { grp: '', tests: 0, negative: 0, with_negative: 0, relapsed: 0, eot_episodes: 0, eot_abstinent: 0 };
  const tests = cells.count('tests', r.tests);
  const negative = cells.count('negative', r.negative);
  const abstinence = tests === null || negative === null ? hidden(cells, 'abstinence') : cells.rate(['abstinence_rate', 'abstinence_ci'], r.negative, r.tests);
  const eot_episodes = cells.count('eot_episodes', r.eot_episodes);
  const eot_abstinent = cells.count('eot_abstinent', r.eot_abstinent);
  const eot = eot_episodes === null || eot_abstinent === null ? hidden(cells, 'eot_abstinence') : cells.rate(['eot_abstinence_rate', 'eot_abstinence_ci'], r.eot_abstinent, r.eot_episodes);
  const with_negative = cells.count('with_negative', r.with_negative);
  const relapsed = cells.count('relapsed', r.relapsed);
  const rel = with_negative === null || relapsed === null ? hidden(cells, 'relapse') : cells.rate(['relapse_rate', 'relapse_ci'], r.relapsed, r.with_negative);
  const km = with_negative === null
    ? (cells.hide('median_days', 'median_ci', 'curve'), { events: null, median_days: null, median_ci: null, curve: [] })
    : kmFields(input.km, cells).fields;
  return withSuppressed({
    key, n, tests, negative, abstinence_rate: abstinence.rate, abstinence_ci: abstinence.ci,
    eot_episodes, eot_abstinent, eot_abstinence_rate: eot.rate, eot_abstinence_ci: eot.ci,
    with_negative, relapsed, relapse_rate: rel.rate, relapse_ci: rel.ci,
    events: km.events, median_days: km.median_days, median_ci: km.median_ci, curve: km.curve,
    self_report: selfReportOut(input.selfReport, cells),
    by_week: weeks(input.weeks, { tests, negative }, cells),
  }, cells);
}

function hidden(cells: Cells, stem: string): { rate: null; ci: null } {
  cells.hide(`${stem}_rate`, `${stem}_ci`);
  return { rate: null, ci: null };
}
