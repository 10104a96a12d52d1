import { alertsRows, alertsTable, episodeChart, episodeRows, expectedBandsChart, expectedBandsRows } from '../charts/progress';
import { progressParams, stateToSearch } from '../state';
import type { ProgressAlertsResponse, ProgressBandsResponse, ProgressEpisodeResponse, ProgressFitInfo } from '../types';
import { chartCard } from '../ui/chart-card';
import { h } from '../ui/dom';
import { pageSection, type PageModule } from './page';

export interface ProgressData {
  bands: ProgressBandsResponse;
  /** Null for viewers: they see the bands (an aggregate) and never episode rows. */
  alerts: ProgressAlertsResponse | null;
  episode: ProgressEpisodeResponse | null;
}

const fitNote = (f: ProgressFitInfo): string =>
  `Fit ${f.fit_id} of ${f.fitted_at.slice(0, 10)} (${f.n_episodes} episodes, ${f.n_scores} scores${f.data_version === f.current_data_version ? '' : '; newer data has arrived since'}).`;

const DEFINITION = 'A linear mixed model of score on log(weeks + 1), the baseline band and their interaction, with a random intercept and slope per episode, fitted by REML (docs/progress.md). The band is the mean ± 1.28 SD of a new episode’s score at that week, clipped to the score range.';

/** Expected recovery: the bands per baseline severity, and for admins, analysts and clinicians the not-on-track list and an episode view. */
export const progressPage: PageModule<ProgressData> = {
  title: 'Progress',
  load: async (api, state) => {
    const me = await api.me();
    const readsEpisodes = me.role !== 'viewer';
    const [bands, alerts, episode] = await Promise.all([
      api.progressBands(state.instrument),
      readsEpisodes ? api.progressAlerts(progressParams(state)) : Promise.resolve(null),
      readsEpisodes && state.episode ? api.progressEpisode(state.episode, progressParams(state)) : Promise.resolve(null),
    ]);
    return { bands, alerts, episode };
  },
  view(data, ctx) {
    const doc = ctx.doc;
    const b = data.bands;
    const code = b.instrument.code;
    const worse = b.instrument.higher_is_better ? 'below the lower' : 'above the upper';
    const cards: HTMLElement[] = [];
    if (data.episode) {
      const e = data.episode;
      cards.push(chartCard(doc, {
        name: 'progress-episode',
        title: `Episode ${e.episode.episode_id}: ${code} against its expected band`,
        howTo: `Black: the episode’s scores. Blue: the central 80% of scores expected for episodes that started in the ${e.episode.band ?? 'same'} band. Orange dashed: the RC threshold; a score past it is reliably worse than baseline.${e.alert ? ' This episode is not on track.' : ''}`,
        definition: `${DEFINITION} Baseline ${e.episode.baseline ?? 'none'}; RC threshold ${e.rc_threshold ?? 'none'}. ${fitNote(e.fit)}`,
        chart: episodeChart(e, { document: doc }),
        rows: episodeRows(e),
        below: h(doc, 'p', {}, h(doc, 'a', { href: stateToSearch({ ...ctx.state, episode: null }) || '?', 'data-testid': 'progress-back' }, '← Back to the list')),
      }));
    }
    cards.push(chartCard(doc, {
      name: 'progress-bands',
      title: `Expected ${code} scores by week, per baseline band`,
      howTo: `Each line is the expected score of episodes that started in a band; the shaded area holds 80% of their scores at that week. An episode ${worse} limit is doing worse than 9 in 10 that started like it.`,
      definition: `${DEFINITION} ${fitNote(b.fit)}${b.suppressed_bands.length ? ` Left out under the small-cell rule: ${b.suppressed_bands.join(', ')}.` : ''}`,
      chart: expectedBandsChart(b, { document: doc }),
      rows: expectedBandsRows(b),
    }));
    if (data.alerts) {
      const a = data.alerts;
      cards.push(chartCard(doc, {
        name: 'progress-alerts',
        title: `Not on track: ${code}`,
        howTo: `Open episodes whose latest score is ${worse} limit of their band, or at least ${a.instrument.rc ?? 'RC'} points worse than baseline. Open an episode to see its scores against its band.`,
        definition: `docs/progress.md "Alerts". Not judged: ${a.open_episodes_without_followup} open episodes scored only on their baseline day, ${a.open_episodes_without_baseline} without a baseline score. ${fitNote(a.fit)}`,
        chart: alertsTable(a, (id) => stateToSearch({ ...ctx.state, episode: id }) || '?', doc),
        rows: alertsRows(a),
      }));
    }
    return pageSection(doc, `Expected recovery: ${code}`,
      'How episodes that start at a given severity usually improve, and which open episodes are falling off that path. An alert is a prompt for a clinical conversation, not a diagnosis.',
      ...cards);
  },
};
