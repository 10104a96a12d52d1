import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { Cells, withSuppressed } from '../cells';
import type { MetricFilters } from '../filters';
import { kmFields, logRankOut } from '../km-fields';
import { buildGroups, echoFilters, respond, suppressionRule } from '../response';
import { groupRows } from '../retention/statistics';
import { groupSizes } from '../sql/groups';
import { relapseFromModel } from './model';
import type { MetricSource } from '../source';
import {
  END_OF_TREATMENT_DAYS, LAST_WEEK, relapseByGroup, relapseByWeek, relapseKmCounts, selfReport,
  type RelapseGroupRow, type RelapseWeekRow, type SelfReportRow,
} from './facts';
import type { CountRow } from '../stats/kaplan-meier';
import { suppressCounts } from '../stats/suppression';
import { meanWithTInterval, summaryFromSums } from '../stats/t-interval';
import { wilson } from '../stats/wilson';
import { bucket } from '../symptoms/statistics';
import type { MetricResponse, RelapseGroup, RelapseWeek, SelfReport } from '../types';

export function relapseDefinition(f: MetricFilters, minCell: number): Record<string, unknown> {
  return {
    tests_counted: 'tests dated within the episode (admission to discharge, or as_of)',
    substance: f.substance ?? 'all substances',
    positive: 'result positive and not prescribed' + (f.missing_as_positive ? '; refused and missed count as positive' : ''),
    missing_as_positive: f.missing_as_positive,
    ignored: ['invalid', 'positive when prescribed', ...(f.missing_as_positive ? [] : ['refused', 'missed'])],
    abstinence_rate: 'negative tests / counted tests, pooled over episodes',
    end_of_treatment: {
      days: END_OF_TREATMENT_DAYS,
      rule: 'episodes discharged by as_of whose counted tests in their last 28 days (discharge - 27 to discharge) are all negative, over those with at least one test there',
    },
    relapse: 'a positive test dated after the episode\'s first negative test',
    relapse_rate: 'episodes with a relapse / episodes with at least one negative test',
    time_to_relapse: {
      origin: 'first negative test (day 0)',
      event: 'first later positive test',
      censored: 'at the last counted test',
      estimator: 'Kaplan-Meier with Greenwood SE and log-scale 95% CI (R survival::survfit defaults); n = with_negative',
      log_rank: 'Mantel-Haenszel log-rank across the groups present (R survival::survdiff, rho = 0)',
    },
    self_report: 'days_used_past_30 of self_report tests: intake = first report from admission - 14 to admission + 7 days, latest = last report up to the episode end; change where the latest follows the intake',
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    by_week: { week: 'floor((collected_on - admitted_on) / 7)', weeks: [0, LAST_WEEK] },
    suppression: suppressionRule(minCell),
  };
}

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

/** METRICS.md "Relapse and abstinence". */
export async function relapse(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'relapse'>> {
  const [sizes, rows, kmRows, weekRows, reports] = source === 'model'
    ? await relapseFromModel(db, f).then((m) => [m.sizes, m.groups, m.km, m.weeks, m.reports] as const)
    : await Promise.all([groupSizes(db, f), relapseByGroup(db, f), relapseKmCounts(db, f), relapseByWeek(db, f), selfReport(db, f)]);
  const byGroup = new Map(rows.map((r) => [r.grp, r]));
  const kmBy = groupRows(kmRows);
  const weeksBy = bucket(weekRows);
  const reportsBy = new Map(reports.map((r) => [r.grp, r]));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) => relapseGroup({
    row: byGroup.get(grp), km: kmBy.get(grp) ?? [], weeks: weeksBy.get(grp) ?? [], selfReport: reportsBy.get(grp),
  }, key, n, minCell));
  return respond({
    metric: 'relapse', filters: f, minCell,
    echo: echoFilters(f, { substance: f.substance, missing_as_positive: f.missing_as_positive }),
    definition: relapseDefinition(f, minCell), groups,
    logRank: logRankOut([...kmBy.values()]),
  });
}
