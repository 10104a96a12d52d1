import type { Api } from '../api';
import type { ViewState } from '../state';
import type { Instrument, Role, Track } from '../types';

export interface PageContext {
  doc: Document;
  state: ViewState;
  tracks: readonly Track[];
  instruments: readonly Instrument[];
  /** The signed-in user's role: pages offer patient-level downloads to admins and analysts only. */
  role?: Role;
}

/** A page loads its data through the API (effects passed in) and draws it with a pure view. */
export interface PageModule<D> {
  title: string;
  load(api: Api, state: ViewState): Promise<D>;
  view(data: D, ctx: PageContext): HTMLElement;
}

export function pageSection(doc: Document, title: string, intro: string, ...cards: HTMLElement[]): HTMLElement {
  const section = doc.createElement('section');
  section.className = 'page';
  const h2 = doc.createElement('h2');
  h2.textContent = title;
  const p = doc.createElement('p');
  p.className = 'intro';
  p.textContent = intro;
  section.append(h2, p, ...cards);
  return section;
}
