import { createApi, sessionTokenStore, storageSessionHint } from './api';
import { startApp, type AppEnv } from './app';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  const env: AppEnv = {
    doc: document,
    root,
    api: createApi((input, init) => window.fetch(input, init), sessionTokenStore(window.sessionStorage), '/api/v1', storageSessionHint(window.localStorage)),
    search: () => window.location.search,
    navigate: (search, mode) => (mode === 'push' ? history.pushState(null, '', search) : history.replaceState(null, '', search)),
    print: () => window.print(),
  };
  const start = () =>
    startApp(env).catch((err: unknown) => {
      root.textContent = `The dashboard failed to start: ${err instanceof Error ? err.message : String(err)}`;
    });
  // A printed page cannot click a disclosure open, so the definitions print expanded.
  const closed: HTMLDetailsElement[] = [];
  window.addEventListener('beforeprint', () => {
    for (const d of document.querySelectorAll<HTMLDetailsElement>('details:not([open])')) {
      d.open = true;
      closed.push(d);
    }
  });
  window.addEventListener('afterprint', () => {
    for (const d of closed.splice(0)) d.open = false;
  });
  // Back and forward re-read the URL, which holds the whole view.
  window.addEventListener('popstate', () => void start());
  void start();
}
