import type { ProgressModel } from './model';
import type { ProgressAlertsResponse, ProgressEpisodeResponse, ProgressFitInfo } from './schema';

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : 'NA');

/** The fit as lme4's `summary(lmer(...))` lays it out (docs/progress.md). */
export function formatProgressModel(m: ProgressModel): string {
  const f = m.fit;
  const width = Math.max(12, ...f.fixed.map((x) => x.name.length));
  const lines = [
    `Linear mixed model fit by REML: ${m.instrument}`,
    `Formula: ${m.formula}`,
    m.bands.length ? `Bands: ${m.bands.map((b) => `${b.band} (${b.episodes} episodes)`).join(', ')}${m.episodes_without_baseline ? `; ${m.episodes_without_baseline} episodes without a baseline left out` : ''}` : 'Bands: none',
    '',
    `REML criterion at convergence: ${num(f.reml_criterion, 4)}`,
    '',
    'Random effects:',
    ` ${'Groups'.padEnd(9)} ${'Name'.padEnd(12)} ${'Variance'.padStart(12)} ${'Std.Dev.'.padStart(10)} Corr`,
    ` ${'episode'.padEnd(9)} ${'(Intercept)'.padEnd(12)} ${num(f.random.covariance[0][0], 4).padStart(12)} ${num(f.random.sd_intercept, 4).padStart(10)}`,
    ` ${''.padEnd(9)} ${'time'.padEnd(12)} ${num(f.random.covariance[1][1], 4).padStart(12)} ${num(f.random.sd_slope, 4).padStart(10)} ${f.random.correlation === null ? 'NA' : num(f.random.correlation, 3)}`,
    ` ${'Residual'.padEnd(22)} ${num(f.residual_sd ** 2, 4).padStart(12)} ${num(f.residual_sd, 4).padStart(10)}`,
    `Number of obs: ${f.n_obs}, groups: episode, ${f.n_groups}`,
    '',
    'Fixed effects:',
    ` ${''.padEnd(width)} ${'Estimate'.padStart(12)} ${'Std. Error'.padStart(11)} ${'t value'.padStart(9)}`,
    ...f.fixed.map((x) => ` ${x.name.padEnd(width)} ${num(x.estimate, 4).padStart(12)} ${num(x.se, 4).padStart(11)} ${num(x.t, 3).padStart(9)}`),
    '',
    `Convergence: ${f.convergence.converged ? 'converged' : 'NOT converged'} (scaled gradient ${f.convergence.scaled_gradient.toExponential(1)}, max |gradient| ${f.convergence.max_abs_gradient.toExponential(1)}, ${f.convergence.iterations} iterations; ${f.convergence.message})`,
    '',
    ...expectedTable(m),
  ];
  return lines.join('\n');
}

/** One row per week, one column per band: mean [lower, upper] of the 80% tolerance interval. */
function expectedTable(m: ProgressModel): string[] {
  const bands = [...new Set(m.expected.map((e) => e.band))];
  const cell = (band: string | null, week: number) => {
    const e = m.expected.find((x) => x.band === band && x.week === week);
    return e ? `${num(e.mean, 2)} [${num(e.lower, 2)}, ${num(e.upper, 2)}]` : '';
  };
  const weeks = [...new Set(m.expected.map((e) => e.week))];
  const width = Math.max(24, ...m.expected.map((e) => cell(e.band, e.week).length));
  return [
    `Expected scores (mean [80% tolerance interval]) by week since admission:`,
    ` ${'week'.padStart(4)}  ${bands.map((b) => (b ?? 'all').padEnd(width)).join('  ')}`,
    ...weeks.map((w) => ` ${String(w).padStart(4)}  ${bands.map((b) => cell(b, w).padEnd(width)).join('  ')}`.trimEnd()),
  ];
}

const fitLine = (f: ProgressFitInfo): string =>
  `Fit ${f.fit_id} (${f.source === 'stored' ? 'stored' : 'fitted now and stored: none was stored'}) at ${f.fitted_at}, data version ${f.data_version}`
  + (f.data_version === f.current_data_version ? '' : ` (the warehouse is now at ${f.current_data_version}: refresh or refit to include the newer data)`)
  + `; ${f.formula}; ${f.n_episodes} episodes, ${f.n_scores} scores${f.converged ? '' : '; NOT converged'}`;

const limit = (v: number | null): string => (v === null ? '–' : num(v, 1));

/** `iop progress alerts` as text: one line per not-on-track episode (docs/progress.md "Alerts"). */
export function formatAlerts(a: ProgressAlertsResponse): string {
  const head = [
    `Not-on-track episodes, ${a.instrument.code}, open as of ${a.as_of}`,
    fitLine(a.fit),
    `RC: ${a.instrument.rc === null ? 'none in the catalog (only the band rule applies)' : `${a.instrument.rc} points`}; ${a.open_episodes_judged} open episodes judged; not judged: ${a.open_episodes_without_followup} scored only on their baseline day, ${a.open_episodes_without_baseline} without a baseline`,
    '',
  ];
  if (a.alerts.length === 0) return [...head, 'No episode is off track.'].join('\n');
  const cols = ['episode', 'track', 'clinician', 'admitted', 'band', 'baseline', 'latest', 'on', 'week', 'limit', 'change', 'reasons'];
  const rows = a.alerts.map((x) => [
    x.episode_id, x.track_code, x.clinician_id ?? '', x.admitted_on, x.band ?? 'all', num(x.baseline, 0), num(x.latest, 0), x.latest_on, String(x.week),
    limit(a.instrument.higher_is_better ? x.expected_lower : x.expected_upper), (x.worsening > 0 ? '+' : '') + num(x.worsening, 0), x.reasons.join(','),
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [...head, line(cols), ...rows.map(line), '', `${a.alerts.length} episode(s) not on track. An alert is a prompt for a clinical conversation, not a diagnosis.`].join('\n');
}

/** `iop progress episode <id>` as text: the scores beside the band's limits and the RC line. */
export function formatEpisode(e: ProgressEpisodeResponse): string {
  const ep = e.episode;
  const worse = e.instrument.higher_is_better ? 'below' : 'above';
  const head = [
    `Episode ${ep.episode_id}, ${e.instrument.code}: track ${ep.track_code}, clinician ${ep.clinician_id ?? '(none)'}, admitted ${ep.admitted_on}${ep.discharged_on ? `, discharged ${ep.discharged_on}` : ', open'} as of ${e.as_of}`,
    fitLine(e.fit),
    ep.baseline === null ? 'No baseline score (days −14…+7): the episode cannot be judged.' : `Baseline ${num(ep.baseline, 0)} on ${ep.baseline_on}, band ${ep.band ?? 'all (no bands)'}; RC threshold ${e.rc_threshold === null ? 'none' : num(e.rc_threshold, 0)} (${worse} it is reliably worse)`,
    e.alert ? `NOT ON TRACK: ${e.alert.reasons.join(', ')}` : 'On track as of the as-of date (or not open, or not judged).',
    '',
    ` ${'date'.padEnd(10)}  ${'week'.padStart(4)}  ${'score'.padStart(5)}  expected mean [80% limits]`,
  ];
  const byWeek = new Map(e.expected.map((x) => [x.week, x]));
  const rows = e.scores.map((s) => {
    const x = byWeek.get(s.week);
    return ` ${s.administered_on}  ${String(s.week).padStart(4)}  ${num(s.score, 0).padStart(5)}  ${x ? `${num(x.mean, 1)} [${num(x.lower, 1)}, ${num(x.upper, 1)}]` : '–'}`;
  });
  return [...head, ...rows].join('\n');
}
