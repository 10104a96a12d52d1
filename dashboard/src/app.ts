import { ApiError, type Api } from './api';
import { PAGE_RUNNERS } from './pages';
import { signInView } from './pages/signin';
import { pageControls, PAGES, parseState, stateToSearch, type Page, type ViewState } from './state';
import type { Clinician, DimensionValues, Instrument, Me, Site, Track } from './types';
import { h } from './ui/dom';
import { filterBar } from './ui/filters';

export interface AppEnv {
  doc: Document;
  root: HTMLElement;
  api: Api;
  /** Reads the current query string (location.search). */
  search: () => string;
  /** Writes the query string: `replace` for filter changes, `push` for page changes. */
  navigate: (search: string, mode: 'replace' | 'push') => void;
  print: () => void;
}

interface Session {
  me: Me;
  tracks: Track[];
  instruments: Instrument[];
  /** The sites and clinicians the filter bar offers (the API's scoped lists; empty when the program records none). */
  sites: Site[];
  clinicians: Clinician[];
  /** The race, ethnicity and substance values the free-text filters suggest (`GET /dimension-values`). */
  values: DimensionValues | null;
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.status === 0 ? err.message : `The server answered ${err.status}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function errorBox(doc: Document, err: unknown, retry?: () => void): HTMLElement {
  const box = h(doc, 'div', { class: 'error-box', role: 'alert', 'data-testid': 'error' }, h(doc, 'p', {}, `Could not load this view. ${errorText(err)}`));
  if (retry) {
    const b = h(doc, 'button', { type: 'button' }, 'Try again');
    b.addEventListener('click', retry);
    box.append(b);
  }
  return box;
}

function loading(doc: Document): HTMLElement {
  return h(doc, 'p', { class: 'loading', role: 'status', 'data-testid': 'loading' }, 'Loading…');
}

/** A scoped user may only ask for its own tracks and sites (api/README.md roles); drop any others a shared link carries. */
export function scopeState(state: ViewState, me: Me): ViewState {
  const tracks = me.tracks === null ? state.tracks : state.tracks.filter((t) => me.tracks?.includes(t));
  const site = me.sites === null ? state.filters.site : state.filters.site.filter((s) => me.sites?.includes(s));
  if (tracks.length === state.tracks.length && site.length === state.filters.site.length) return state;
  return { ...state, tracks, filters: { ...state.filters, site } };
}

export function startApp(env: AppEnv): Promise<void> {
  const { doc, root, api } = env;
  let generation = 0;

  async function boot(notice = ''): Promise<void> {
    root.replaceChildren(loading(doc));
    try {
      const me = await api.me();
      await signedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        root.replaceChildren(signInView(doc, api, () => boot(), notice));
        return;
      }
      root.replaceChildren(errorBox(doc, err, () => void boot()));
    }
  }

  async function signedIn(me: Me): Promise<void> {
    const [tracks, instruments] = await Promise.all([api.tracks(), api.instruments().catch(() => [] as Instrument[])]);
    const visible = me.tracks === null ? tracks : tracks.filter((t) => me.tracks?.includes(t.track_code));
    const session: Session = { me, tracks: visible, instruments, sites: [], clinicians: [], values: null };
    // The site and clinician lists only feed the filter bar, so the first chart never waits for them
    // (a scoped user's clinician list joins the attendance, seconds at 200k episodes): the bar is
    // redrawn when they arrive. Without them the page still works and the URL's filters still apply.
    void Promise.all([
      api.sites().catch(() => [] as Site[]), api.clinicians().catch(() => [] as Clinician[]), api.dimensionValues().catch(() => null),
    ]).then(([sites, clinicians, values]) => {
      session.sites = sites;
      session.clinicians = clinicians;
      session.values = values;
      if (shown?.session !== session) return;
      const next = filtersFor(session, shown.state);
      shown.filters.replaceWith(next);
      shown.filters = next;
    });
    await render(session, scopeState(parseState(env.search()), me));
  }

  function header(session: Session, state: ViewState): HTMLElement {
    const nav = h(doc, 'nav', { 'aria-label': 'Pages', class: 'no-print' });
    for (const p of PAGES) {
      const link = h(doc, 'a', { href: stateToSearch({ ...state, page: p }) || '?', 'data-testid': `nav-${p}`, 'aria-current': p === state.page ? 'page' : null }, PAGE_RUNNERS[p].title);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        void go(session, { ...state, page: p }, 'push');
      });
      nav.append(link);
    }
    const print = h(doc, 'button', { type: 'button', 'data-testid': 'print' }, 'Print');
    print.addEventListener('click', () => env.print());
    const signOut = h(doc, 'button', { type: 'button', 'data-testid': 'signout' }, 'Sign out');
    signOut.addEventListener('click', () => {
      void api.signOut().finally(() => boot());
    });
    const scope = session.me.tracks === null ? 'all tracks' : `tracks: ${session.me.tracks.join(', ') || 'none'}`;
    return h(
      doc,
      'header',
      { class: 'app-header' },
      h(doc, 'h1', {}, 'IOP Outcomes'),
      h(doc, 'p', { class: 'user', 'data-testid': 'user' }, `${session.me.username} (${session.me.role}; ${scope})`),
      nav,
      h(doc, 'p', { class: 'actions no-print' }, h(doc, 'a', { href: api.reportUrl(), target: '_blank', rel: 'noopener', 'data-testid': 'report-link' }, 'Printable report'), print, signOut),
    );
  }

  async function go(session: Session, state: ViewState, mode: 'replace' | 'push'): Promise<void> {
    env.navigate(stateToSearch(state) || '?', mode);
    await render(session, state);
  }

  /** What is on screen: its session, view and filter bar (redrawn in place when the site and clinician lists arrive). */
  let shown: { session: Session; state: ViewState; filters: HTMLElement } | undefined;

  function filtersFor(session: Session, state: ViewState): HTMLElement {
    return filterBar(doc, state, {
      tracks: session.tracks,
      instruments: session.instruments,
      sites: session.sites,
      clinicians: session.clinicians,
      values: session.values,
      ...pageControls(state.page),
      showInstrument: state.page === 'symptoms' || state.page === 'compare' || (state.page === 'qi' && state.spcSeries === 'remission'),
      compare: state.page === 'compare',
      qi: state.page === 'qi',
      onChange: (next) => void go(session, next, 'replace'),
    });
  }

  async function render(session: Session, state: ViewState): Promise<void> {
    const mine = ++generation;
    const content = h(doc, 'main', { id: 'main', 'aria-live': 'polite', 'aria-busy': 'true', 'data-page': state.page }, loading(doc));
    const filters = filtersFor(session, state);
    shown = { session, state, filters };
    root.replaceChildren(header(session, state), filters, content);
    doc.title = `${PAGE_RUNNERS[state.page].title} · IOP Outcomes`;
    try {
      const view = await PAGE_RUNNERS[state.page].load(api, state);
      if (mine !== generation) return;
      content.replaceChildren(view({ doc, state, tracks: session.tracks, instruments: session.instruments, role: session.me.role }));
    } catch (err) {
      if (mine !== generation) return;
      if (err instanceof ApiError && err.status === 401) return boot('Your session has ended; please sign in again.');
      content.replaceChildren(errorBox(doc, err, () => void render(session, state)));
    } finally {
      if (mine === generation) content.setAttribute('aria-busy', 'false');
    }
  }

  return boot();
}

export type { Page };
