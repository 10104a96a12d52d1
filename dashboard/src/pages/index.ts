import type { Api } from '../api';
import type { Page, ViewState } from '../state';
import { attendancePage } from './attendance';
import { comparePage } from './compare';
import { followupPage } from './followup';
import { measuresPage } from './measures';
import { overviewPage } from './overview';
import type { PageContext, PageModule } from './page';
import { relapsePage } from './relapse';
import { retentionPage } from './retention';
import { symptomsPage } from './symptoms';

export interface PageRunner {
  title: string;
  /** Loads the data, then returns the view to draw it with. */
  load(api: Api, state: ViewState): Promise<(ctx: PageContext) => HTMLElement>;
}

function runner<D>(m: PageModule<D>): PageRunner {
  return { title: m.title, load: async (api, state) => {
    const data = await m.load(api, state);
    return (ctx) => m.view(data, ctx);
  } };
}

export const PAGE_RUNNERS: Record<Page, PageRunner> = {
  overview: runner(overviewPage),
  retention: runner(retentionPage),
  symptoms: runner(symptomsPage),
  relapse: runner(relapsePage),
  attendance: runner(attendancePage),
  compare: runner(comparePage),
  measures: runner(measuresPage),
  followup: runner(followupPage),
};
