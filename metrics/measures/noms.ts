import { sql } from 'kysely';
import { NOMS_DOMAINS, NOMS_DOMAIN_NAMES } from '../../warehouse/followup-rules';
import { roundToBase } from '../disclosure';
import { isSmall } from '../stats/suppression';
import { exactMcNemar } from '../stats/mcnemar';
import { followup6m, followupDefinition, followupLabelled } from './followup-6m';
import type { MeasureSpec } from './spec';

/**
 * `noms` (SAMHSA National Outcome Measures; docs/funder-reporting.md "NOMs"): the pairs of
 * `followup-6m` labelled `completed`, the intake interview against the six-month one.
 * The labels and rate are those of `followup-6m` (the pairs are its numerator); the
 * statistics hold, per domain and group:
 *
 * - `n`: pairs with both answers (a pair with either answer empty is left out of the domain);
 * - `intake_positive`, `followup_positive`: positive answers among them; `intake_pct`,
 *   `followup_pct`: the same as percentages;
 * - `percent_change`: SAMHSA's (follow-up % − intake %) / intake % × 100 (null when intake % is 0);
 * - `improved` (negative at intake, positive at follow-up) and `worsened` (the reverse): the
 *   discordant pairs; `p_value`: the exact McNemar test, R's binom.test(improved, improved + worsened).
 *
 * SQL counts the pairs; `protectStatistics` derives the percentages and the test from the
 * counts and withholds small cells (every count 1 to min_cell − 1, with its complement
 * within the domain, and every figure computed from one).
 */

type DomainCounts = { n: number; intake_positive: number; followup_positive: number; improved: number; worsened: number };

const positive = (alias: string, column: string, value: number | boolean) =>
  sql`(${sql.ref(`${alias}.${column}`)} = ${sql.lit(value)})`;

/** The counts of a domain, in the order of its five slots in the per-episode statistics. */
const COUNTS = ['n', 'intake_positive', 'followup_positive', 'improved', 'worsened'] as const;

/**
 * Per episode, the counts of every domain (NOMS_DOMAIN_NAMES × COUNTS, five slots a domain):
 * its pairs with both answers, the positive answers among them and the discordant ones.
 * Zero for an episode whose label is not `completed` (it joins no interviews).
 */
function episodeDomainCounts() {
  return sql`array[${sql.join(NOMS_DOMAIN_NAMES.map((d) => {
    const { column, positive: value } = NOMS_DOMAINS[d];
    const a = positive('fi', column, value);
    const b = positive('ff', column, value);
    const both = sql`${a} is not null and ${b} is not null`;
    return sql`count(*) filter (where ${both}),
      count(*) filter (where ${both} and ${a}),
      count(*) filter (where ${both} and ${b}),
      count(*) filter (where ${both} and not ${a} and ${b}),
      count(*) filter (where ${both} and ${a} and not ${b})`;
  }))}]::int[]`;
}

/** Per group, one object of counts per domain (docs/funder-reporting.md "NOMs"), summed from the episodes' slots. */
function domainCounts() {
  return sql`jsonb_build_object(${sql.join(NOMS_DOMAIN_NAMES.map((d, i) => sql`${sql.lit(d)}::text, jsonb_build_object(${sql.join(
    COUNTS.map((c, j) => sql`${sql.lit(c)}::text, sum(stats[${sql.lit(5 * i + j + 1)}])`))})`))})`;
}

const pct = (x: number, n: number): number => Number(((100 * x) / n).toFixed(1));

/** One domain's published figures from its counts, with small cells withheld. */
export function nomsDomain(c: DomainCounts, minCell: number): Record<string, unknown> {
  const hidden = new Set<string>();
  const small = (x: number) => isSmall(x, minCell);
  if (small(c.n)) hidden.add('n');
  const hideIf = (field: keyof DomainCounts, x: number) => { if (small(x) || small(c.n - x)) hidden.add(field); };
  hideIf('intake_positive', c.intake_positive);
  hideIf('followup_positive', c.followup_positive);
  if (small(c.improved) || small(c.worsened)) { hidden.add('improved'); hidden.add('worsened'); }
  if (hidden.has('n')) for (const k of ['intake_positive', 'followup_positive', 'improved', 'worsened']) hidden.add(k);
  const intakePct = c.n > 0 ? (100 * c.intake_positive) / c.n : null;
  const followPct = c.n > 0 ? (100 * c.followup_positive) / c.n : null;
  const out: Record<string, unknown> = {
    n: hidden.has('n') ? null : c.n,
    intake_positive: hidden.has('intake_positive') ? null : c.intake_positive,
    followup_positive: hidden.has('followup_positive') ? null : c.followup_positive,
    intake_pct: hidden.has('intake_positive') || c.n === 0 ? null : pct(c.intake_positive, c.n),
    followup_pct: hidden.has('followup_positive') || c.n === 0 ? null : pct(c.followup_positive, c.n),
    percent_change: hidden.has('intake_positive') || hidden.has('followup_positive') || !intakePct || followPct === null
      ? null : Number((((followPct - intakePct) / intakePct) * 100).toFixed(1)),
    improved: hidden.has('improved') ? null : c.improved,
    worsened: hidden.has('worsened') ? null : c.worsened,
    p_value: hidden.has('improved') ? null : exactMcNemar(c.improved, c.worsened),
  };
  const suppressed = [...hidden];
  if (hidden.has('intake_positive')) suppressed.push('intake_pct', 'percent_change');
  if (hidden.has('followup_positive')) suppressed.push('followup_pct', 'percent_change');
  if (hidden.has('improved')) suppressed.push('p_value');
  out.suppressed = [...new Set(suppressed)];
  return out;
}

/**
 * A domain for roles below analyst (metrics/measures/protect.ts): every count rounded to
 * base 5 on its own, the percentages and percent change recomputed from the rounded
 * counts, and the McNemar p withheld (null), since it is computed from exact counts (as
 * the metrics withhold the log-rank test).
 */
export function discloseNomsDomain(d: Record<string, unknown>): Record<string, unknown> {
  const r5 = (v: unknown): number | null => (typeof v === 'number' ? roundToBase(v) : null);
  const n = r5(d.n);
  const ip = r5(d.intake_positive);
  const fp = r5(d.followup_positive);
  const pctOf = (x: number | null) => (x === null || !n ? null : pct(Math.min(x, n), n));
  const intakePct = d.intake_pct === null ? null : pctOf(ip);
  const followPct = d.followup_pct === null ? null : pctOf(fp);
  return {
    ...d, n, intake_positive: ip, followup_positive: fp, intake_pct: intakePct, followup_pct: followPct,
    percent_change: d.percent_change === null || !intakePct || followPct === null ? null : Number((((followPct - intakePct) / intakePct) * 100).toFixed(1)),
    improved: r5(d.improved), worsened: r5(d.worsened), p_value: null,
  };
}

export const noms: MeasureSpec = {
  name: 'noms',
  source: 'SAMHSA National Outcome Measures (NOMs), GPRA intake and six-month follow-up',
  labels: followup6m.labels,
  numerator: ['completed'],
  // Its result is the per-domain change among the pairs; the label rate is followup-6m's, compared under that name.
  comparable: false,
  definition: () => ({
    ...followupDefinition(),
    pairs: 'the intake interview and the first completed six-month follow-up in the window (label completed)',
    domains: Object.fromEntries(NOMS_DOMAIN_NAMES.map((d) => [d, { ...NOMS_DOMAINS[d] }])),
    percent_change: '(follow-up % − intake %) / intake % × 100',
    test: 'exact McNemar: two-sided binomial test of the discordant pairs at 0.5 (R binom.test)',
  }),
  text: () => ({
    pairs: 'Each completed six-month follow-up is paired with its intake interview; a domain counts the pairs with both answers.',
    domains: 'Abstinent: no days of use in the past 30; employed or in school; stable housing; no arrests in the past 30 days; socially connected.',
    change: "The percent change is SAMHSA's: the follow-up percentage minus the intake percentage, divided by the intake percentage. The p-value is the exact McNemar test of the pairs that changed.",
  }),
  labelled: followupLabelled,
  // Every episode gets its counts (zero pairs included), so every group does: rows not completed join no interviews.
  episodeStatistics: () => sql`
    select l.episode_id, ${episodeDomainCounts()} as stats
    from labelled l
    left join fu_labelled p on p.episode_id = l.episode_id and l.label = 'completed'
    left join followups fi on fi.patient_id = p.patient_id and fi.interview_type = 'intake' and fi.interviewed_on = p.intake_on
    left join followups ff on ff.patient_id = p.patient_id and ff.interview_type = 'followup_6m' and ff.interviewed_on = p.followup_on
    group by l.episode_id`,
  statistics: () => sql`select grp, ${domainCounts()} as stats from measure_stats group by grp`,
  discloseStatistics: (stats) => ({
    domains: Object.fromEntries(Object.entries(stats.domains as Record<string, Record<string, unknown>>).map(([d, v]) => [d, discloseNomsDomain(v)])),
  }),
  protectStatistics: (stats, _n, minCell) => ({
    domains: Object.fromEntries(NOMS_DOMAIN_NAMES.map((d) => [d, nomsDomain(stats[d] as DomainCounts, minCell)])),
  }),
};
