import { disclosureText } from './definition-text';
import type { MetricFilters } from './filters';
import { kaplanMeierFromTable, medianWithCi, survivalAt, type KmCurve, type KmRow } from './stats/kaplan-meier';
import { wilson } from './stats/wilson';
import {
  isSuppressedGroup,
  type AttendanceGroup, type CompletionGroup, type GroupOf, type Interval, type KmFields, type MetricName, type MetricResponse,
  type RelapseGroup, type RetentionGroup, type SuppressedGroup, type SymptomsGroup, type SurvivalPoint,
} from './types';

/**
 * Disclosure control for roles below analyst (docs/metrics.md "Disclosure control";
 * docs/security.md). Small-cell suppression works one response at a time; a reader
 * who can ask many questions recovers a suppressed cell by differencing two answers.
 * So, after suppression has run on the exact counts, the responses these roles get
 * are post-processed here, in one step:
 * - date filters are snapped to whole months (`snapToMonths`), so two requests
 *   cannot differ by a day;
 * - every published count is rounded to base 5 on its own (the nearest multiple of 5;
 *   0 stays 0), so the same cell reads the same in every response, and a difference
 *   of two published counts is off by up to 4 from the exact one;
 * - every figure derived from counts is recomputed from the rounded counts (a rate is
 *   rounded x / rounded n, its Wilson CI from those; Kaplan–Meier survival, CI,
 *   median and retention_at from the rounded coarsened steps);
 * - means and the other continuous figures are published to fewer digits, and the
 *   log-rank statistic (computed from exact counts) is withheld.
 */

export const ROUNDING_BASE = 5;

/** Conventional rounding to the nearest multiple of 5 (an integer count has no ties). */
export function roundToBase(count: number, base = ROUNDING_BASE): number {
  return Math.round(count / base) * base;
}

const r5 = (count: number | null): number | null => (count === null ? null : roundToBase(count));

/** Continuous figures (means, SDs, their CIs) to `digits` decimals. */
const fix = (value: number | null, digits = 1): number | null => (value === null ? null : Number(value.toFixed(digits)));
const fixPair = <T extends [number, number] | null>(pair: T, digits = 1): T =>
  (pair === null ? pair : [Number(pair[0].toFixed(digits)), Number(pair[1].toFixed(digits))] as T);

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function parts(date: string): [number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
}

/** The last day of the month `date` lies in. */
export function endOfMonth(date: string): string {
  const [y, m] = parts(date);
  return isoDate(new Date(Date.UTC(y, m, 0)));
}

/**
 * Dates to whole months: `from` to the first day of its month, `to` to the last day
 * of its month, `as_of` to the last day of the last complete month on or before it
 * (itself when it is a month end, else the end of the month before). as_of never
 * moves forward: a later date would censor open episodes at a day not yet lived.
 */
export function snapToMonths(f: MetricFilters): MetricFilters {
  const [y, m] = parts(f.as_of);
  const asOf = endOfMonth(f.as_of) === f.as_of ? f.as_of : isoDate(new Date(Date.UTC(y, m - 1, 0)));
  return {
    ...f,
    from: f.from === null ? null : `${f.from.slice(0, 7)}-01`,
    to: f.to === null ? null : endOfMonth(f.to),
    as_of: asOf,
  };
}

/** The statement each protected response carries as `definition.disclosure`. */
export const DISCLOSURE_RULE = {
  method: 'round-base-5',
  base: ROUNDING_BASE,
  applies_to: 'roles below analyst (viewer); analysts and admins get exact numbers',
  counts: 'after small-cell suppression on the exact counts, every published count is rounded on its own to the nearest multiple of 5 (0, 1, 2 down; 3, 4 up; 0 stays 0)',
  totals: 'a total is rounded from its exact value, like any count; it may differ from the sum of its rounded parts',
  derived: 'rates = rounded numerator / rounded denominator with the Wilson CI of those; Kaplan-Meier survival, std_err, CI, median and retention_at recomputed from the rounded coarsened steps',
  continuous: 'means, mean changes and their CIs, sessions per week, rc_threshold to 1 decimal; cohens_d to 2 decimals',
  log_rank: 'withheld (null): it is computed from exact counts',
  month_snapped: true,
  dates: 'from to the first day of its month, to to the last day of its month, as_of to the last day of the last complete month on or before it; the response echoes the dates applied',
  source: 'rounding to base 5 as in official-statistics practice: Ofqual rounding policy for statistical publications (gov.uk, 2025); HESA rounding and suppression to anonymise statistics; Hundepool et al., Handbook on Statistical Disclosure Control (ESSNet 2010), rounding',
} as const;

export type DisclosureRule = typeof DISCLOSURE_RULE;

interface Rate {
  rate: number | null;
  ci: Interval | null;
}

/**
 * A rate recomputed from rounded counts. `x` is the exact numerator (taken from the
 * published rate when the response does not carry it as a field) and `n` the exact
 * denominator; a rate that suppression hid stays hidden.
 */
function roundedRate(rate: number | null, n: number | null): Rate {
  if (rate === null || n === null || n === 0) return { rate: null, ci: null };
  const rn = roundToBase(n);
  const rx = Math.min(rn, roundToBase(Math.round(rate * n)));
  if (rn === 0) return { rate: null, ci: null };
  return { rate: rx / rn, ci: wilson(rx, rn) };
}

/** The KM fields from the rounded steps of the (already coarsened) published curve. */
function roundedKm(fields: KmFields): { fields: KmFields; km: KmCurve } {
  const km = kaplanMeierFromTable(fields.curve.map((row: KmRow) => ({
    day: row.day, at_risk: roundToBase(row.at_risk), events: roundToBase(row.events), censored: roundToBase(row.censored),
  })));
  const median = medianWithCi(km);
  return {
    km,
    fields: {
      events: r5(fields.events),
      median_days: median.median,
      median_ci: fields.median_ci === null ? null : [median.lower, median.upper],
      curve: km.curve,
    },
  };
}

function pointAt(km: KmCurve, day: number, was: SurvivalPoint): SurvivalPoint {
  if (was.survival === null) return was;
  const at = survivalAt(km, day);
  return { survival: at?.survival ?? null, lower: at?.lower ?? null, upper: at?.upper ?? null };
}

function retention(g: RetentionGroup): RetentionGroup {
  const { fields, km } = roundedKm(g);
  const at = g.retention_at;
  const late = at['90'];
  const retention_at: RetentionGroup['retention_at'] = {
    '30': pointAt(km, 30, at['30']),
    '60': pointAt(km, 60, at['60']),
    // The late day stays offered exactly when the analyst's view offers it (docs/metrics.md "Retention time points").
    ...(late ? { '90': pointAt(km, 90, late) } : {}),
    planned: at.planned === null ? null : { day: at.planned.day, ...pointAt(km, at.planned.day, at.planned) },
  };
  return { ...g, n: roundToBase(g.n), ...fields, retention_at };
}

function completion(g: CompletionGroup): CompletionGroup {
  const completion = roundedRate(g.completion_rate, g.discharged);
  const positive = roundedRate(g.positive_discharge_rate, g.discharged);
  return {
    ...g,
    n: roundToBase(g.n), discharged: r5(g.discharged), completed: r5(g.completed),
    completion_rate: completion.rate, completion_ci: completion.ci,
    positive_discharge_rate: positive.rate, positive_discharge_ci: positive.ci,
    reasons: Object.fromEntries(Object.entries(g.reasons).map(([k, v]) => [k, r5(v)])),
  };
}

const sum = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

function attendance(g: AttendanceGroup): AttendanceGroup {
  const att = roundedRate(g.attendance_rate, sum(g.attended, g.no_show));
  const ini = roundedRate(g.initiation_rate, g.n);
  const eng = roundedRate(g.engagement_rate, g.n);
  return {
    ...g,
    n: roundToBase(g.n), attended: r5(g.attended), no_show: r5(g.no_show),
    attendance_rate: att.rate, attendance_ci: att.ci,
    sessions_per_week: fix(g.sessions_per_week),
    initiated: r5(g.initiated), initiation_rate: ini.rate, initiation_ci: ini.ci,
    engaged: r5(g.engaged), engagement_rate: eng.rate, engagement_ci: eng.ci,
    by_week: g.by_week.map((w) => {
      const rate = roundedRate(w.attendance_rate, sum(w.attended, w.no_show));
      return { ...w, attended: r5(w.attended), no_show: r5(w.no_show), attendance_rate: rate.rate, lower: rate.ci?.[0] ?? null, upper: rate.ci?.[1] ?? null };
    }),
  };
}

function symptoms(g: SymptomsGroup): SymptomsGroup {
  const completeness = roundedRate(g.completeness, g.with_baseline).rate;
  const response = roundedRate(g.response_rate, g.paired);
  const improvement = roundedRate(g.improvement_rate, g.paired);
  const remission = roundedRate(g.remission_rate, g.paired);
  return {
    ...g,
    n: roundToBase(g.n), with_baseline: r5(g.with_baseline), paired: r5(g.paired), completeness,
    baseline_mean: fix(g.baseline_mean), followup_mean: fix(g.followup_mean), change_mean: fix(g.change_mean),
    change_ci: fixPair(g.change_ci), cohens_d: fix(g.cohens_d, 2), rc_threshold: fix(g.rc_threshold),
    classes: { recovered: r5(g.classes.recovered), improved: r5(g.classes.improved), unchanged: r5(g.classes.unchanged), deteriorated: r5(g.classes.deteriorated) },
    improvement_rate: improvement.rate, improvement_ci: improvement.ci,
    response_rate: response.rate, response_ci: response.ci, remission_rate: remission.rate, remission_ci: remission.ci,
    trajectory: g.trajectory.map((p) => ({ week: p.week, n: r5(p.n), mean: fix(p.mean), lower: fix(p.lower), upper: fix(p.upper) })),
    scatter: g.scatter.map((c) => ({ ...c, n: roundToBase(c.n) })).filter((c) => c.n > 0),
    scatter_bins: g.scatter_bins.map((c) => ({ ...c, n: r5(c.n) })),
  };
}

function relapse(g: RelapseGroup): RelapseGroup {
  const abstinence = roundedRate(g.abstinence_rate, g.tests);
  const eot = roundedRate(g.eot_abstinence_rate, g.eot_episodes);
  const rel = roundedRate(g.relapse_rate, g.with_negative);
  const { fields } = roundedKm(g);
  const s = g.self_report;
  return {
    ...g,
    n: roundToBase(g.n), tests: r5(g.tests), negative: r5(g.negative), abstinence_rate: abstinence.rate, abstinence_ci: abstinence.ci,
    eot_episodes: r5(g.eot_episodes), eot_abstinent: r5(g.eot_abstinent), eot_abstinence_rate: eot.rate, eot_abstinence_ci: eot.ci,
    with_negative: r5(g.with_negative), relapsed: r5(g.relapsed), relapse_rate: rel.rate, relapse_ci: rel.ci,
    ...fields,
    self_report: {
      intake_n: r5(s.intake_n), intake_mean: fix(s.intake_mean), latest_n: r5(s.latest_n), latest_mean: fix(s.latest_mean),
      change_n: r5(s.change_n), change_mean: fix(s.change_mean), change_ci: fixPair(s.change_ci),
    },
    by_week: g.by_week.map((w) => {
      const rate = roundedRate(w.abstinence_rate, w.tests);
      return { ...w, tests: r5(w.tests), negative: r5(w.negative), abstinence_rate: rate.rate, lower: rate.ci?.[0] ?? null, upper: rate.ci?.[1] ?? null };
    }),
  };
}

const FAMILIES: { [M in MetricName]: (g: GroupOf<M>) => GroupOf<M> } = { retention, completion, attendance, symptoms, relapse };

/**
 * The one post-processing step the API applies to a metric response for roles below
 * analyst (the request's filters were snapped with `snapToMonths` before computing).
 * A group suppressed whole stays `{key, suppressed: ["all"]}`; fields suppression hid
 * stay null; `suppressed` lists are unchanged.
 */
export function protectResponse<M extends MetricName>(response: MetricResponse<M>): MetricResponse<M> {
  // MetricResponse<M> and GroupOf<M> are lookups into one type per family (z.infer of
  // metrics/response-schema.ts), which TypeScript cannot narrow for a generic M.
  const protect = FAMILIES[response.metric] as unknown as (g: GroupOf<M>) => GroupOf<M>;
  const groups = response.groups.map((g): GroupOf<M> | SuppressedGroup => (isSuppressedGroup(g) ? g : protect(g as GroupOf<M>)));
  return {
    ...response,
    definition: { ...response.definition, disclosure: DISCLOSURE_RULE, text: { ...response.definition.text, disclosure: disclosureText(DISCLOSURE_RULE) } },
    groups,
    ...(response.log_rank === undefined ? {} : { log_rank: null }),
  };
}

/** A row of counts (the report's data completeness: with, without, total), each count rounded on its own. */
export function protectCounts<T extends object, K extends keyof T>(row: T, fields: readonly K[]): T {
  const out = { ...row };
  for (const f of fields) {
    const v = row[f];
    if (typeof v === 'number') out[f] = roundToBase(v) as T[K];
  }
  return out;
}
