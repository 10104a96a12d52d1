import type { ProgressModel } from './model';

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
