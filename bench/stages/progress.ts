import { sql } from 'kysely';
import { progressAlerts } from '../../metrics/progress/alerts';
import { currentFit } from '../../metrics/progress/current-fit';
import { fitProgressModel } from '../../metrics/progress/model';
import { median, runCli, timed, type BenchContext } from '../context';

/** The bars of issue 19 "Expected recovery": the PHQ-9 fit at 200k episodes. */
const FIT_TARGET_S = 30;
const FIT_TARGET_MB = 500;
/** The alerts list: within 2× a count(*) over the episode model, plus 50 ms. */
const ALERTS_SLACK_MS = 50;
const RUNS = 5;

/**
 * Expected recovery (docs/progress.md): the PHQ-9 model fit, in-process (the query and the
 * REML fit) and as `iop progress model --save` in a child process for its peak RSS
 * (process.resourceUsage().maxRSS, the CLI's 256 MB heap limit as in the other CLI
 * stages), beside a `count(*)` of the PHQ-9 scores; then the alerts list (from the stored
 * fit) against 2× a `count(*)` over the episode model + 50 ms, medians of five.
 */
export async function benchProgress(ctx: BenchContext): Promise<void> {
  const db = ctx.wh.db;
  const countScores = () => sql`select count(*) from assessments where instrument = 'PHQ-9'`.execute(db);
  const countModel = () => sql`select count(*) from episode_outcomes`.execute(db);
  const scoreCounts: number[] = [];
  for (let i = 0; i < RUNS; i++) scoreCounts.push((await timed(countScores)).ms);
  const scoreCount = median(scoreCounts);

  const inProcess = await timed(() => fitProgressModel(db, { instrument: 'PHQ-9', time: 'log', bands: true }));
  const m = inProcess.value;
  const env = { ...process.env, DATABASE_URL: ctx.url, IOP_LOG_LEVEL: 'warn' };
  const cli = await runCli(['progress', 'model', '--instrument', 'PHQ-9', '--json', '--save'], env);
  if (cli.code !== 0) throw new Error(`iop progress model exited ${cli.code}`);
  const rssMb = cli.maxRssKb / 1024;
  const fitS = cli.ms / 1000;
  ctx.log(`progress model PHQ-9: in-process ${inProcess.ms.toFixed(0)} ms, CLI ${cli.ms.toFixed(0)} ms, peak RSS ${rssMb.toFixed(0)} MB; ${m.fit.n_groups} episodes, ${m.fit.n_obs} scores, ${m.fit.convergence.iterations} iterations`);
  const fitCommand = 'npm run -s iop -- progress model --instrument PHQ-9 --json --save';
  const scoresBaseline = { name: "SELECT count(*) FROM assessments WHERE instrument = 'PHQ-9'", value: Number(scoreCount.toFixed(1)), unit: 'ms' };
  const detail = `${m.fit.n_groups} episodes, ${m.fit.n_obs} scores, ${m.fit.convergence.converged ? 'converged' : 'NOT converged'} in ${m.fit.convergence.iterations} iterations`;
  ctx.record({
    measure: 'progress model PHQ-9 (CLI, with start-up and --save)', value: Number(fitS.toFixed(2)), unit: 's', baseline: scoresBaseline, ratio: cli.ms / scoreCount,
    target: `≤ ${FIT_TARGET_S} s`, met: fitS <= FIT_TARGET_S, command: fitCommand, note: detail,
  });
  ctx.record({
    measure: 'progress model PHQ-9: peak RSS of the CLI', value: Math.round(rssMb), unit: 'MB',
    target: `≤ ${FIT_TARGET_MB} MB`, met: rssMb <= FIT_TARGET_MB, command: fitCommand, note: 'process.resourceUsage().maxRSS of the CLI process',
  });
  ctx.record({
    measure: 'progress model PHQ-9: in-process (query + REML fit)', value: Math.round(inProcess.ms), unit: 'ms', baseline: scoresBaseline, ratio: inProcess.ms / scoreCount,
    command: fitCommand, note: `one run, no target: the part of the CLI figure above without start-up; ${detail}`,
  });

  const fit = await currentFit(db, 'PHQ-9');
  const scope = { instrument: 'PHQ-9', as_of: ctx.data.asOf, track: null, clinician: null };
  const counts: number[] = [];
  const lists: number[] = [];
  let alerts = 0;
  let judged = 0;
  for (let i = 0; i < RUNS; i++) {
    counts.push((await timed(countModel)).ms);
    const r = await timed(() => progressAlerts(db, fit, scope));
    lists.push(r.ms);
    alerts = r.value.alerts.length;
    judged = r.value.open_episodes_judged;
  }
  const count = median(counts);
  const ms = median(lists);
  const target = 2 * count + ALERTS_SLACK_MS;
  ctx.log(`progress alerts PHQ-9: ${ms.toFixed(0)} ms (count(*) ${count.toFixed(1)} ms, target ${target.toFixed(0)} ms; ${alerts} alerts of ${judged} open episodes judged)`);
  ctx.record({
    measure: 'progress alerts PHQ-9 (stored fit)', value: Math.round(ms), unit: 'ms',
    baseline: { name: 'SELECT count(*) FROM episode_outcomes', value: Number(count.toFixed(1)), unit: 'ms' }, ratio: ms / count,
    target: `≤ 2 × count(*) + ${ALERTS_SLACK_MS} ms = ${target.toFixed(0)} ms`, met: ms <= target,
    command: `npm run -s iop -- progress alerts --instrument PHQ-9 --as-of ${ctx.data.asOf} --json`,
    note: `median of ${RUNS}, in-process without CLI start-up; ${alerts} alerts of ${judged} open episodes judged`,
  });
}
