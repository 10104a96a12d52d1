import type {
  AdjustedComparison, ApiErrorBody, Clinician, CompareOutcome, DimensionValues, EquityComparison, Instrument, MeasureName, MeasureResponse, Me, MetricName, MetricResponses,
  ProgressAlertsResponse, ProgressBandsResponse, ProgressEpisodeResponse, Site, SpcResponse, SpcSeriesName, Track,
} from './types';

// The data loader takes its fetch as an argument (docs/conventions.md "Data loaders take their effects as
// arguments"), so tests drive it with a fake and the page with window.fetch.

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Api {
  me(): Promise<Me>;
  tracks(): Promise<Track[]>;
  instruments(): Promise<Instrument[]>;
  /** `GET /sites`: the sites the user may see (scoped by the API). */
  sites(): Promise<Site[]>;
  /** `GET /clinicians`: the clinicians of the sites or tracks the user may see. */
  clinicians(): Promise<Clinician[]>;
  /** `GET /dimension-values`: the recorded race, ethnicity and substance values (each in at least min_cell episodes in scope). */
  dimensionValues(): Promise<DimensionValues>;
  metric<M extends MetricName>(name: M, params: URLSearchParams): Promise<MetricResponses[M]>;
  /** `GET /compare/{outcome}` (docs/comparisons.md): `by` in params picks the adjusted or the equity answer. */
  compare(outcome: CompareOutcome, params: URLSearchParams): Promise<AdjustedComparison | EquityComparison>;
  /** `GET /spc/{series}` (docs/metrics.md "SPC charts"). */
  spc(series: SpcSeriesName, params: URLSearchParams): Promise<SpcResponse>;
  /** `GET /measures/{name}` (docs/measures.md). */
  measure(name: MeasureName, params: URLSearchParams): Promise<MeasureResponse>;
  /** The per-episode rows of a measure as CSV (`rows=true&format=csv`; admins and analysts only, audited). */
  measureRowsCsv(name: MeasureName, params: URLSearchParams): Promise<string>;
  /** `GET /progress/bands` (docs/progress.md): every role. */
  progressBands(instrument: string): Promise<ProgressBandsResponse>;
  /** `GET /progress/alerts`: admin, analyst and clinicians (their own caseload). */
  progressAlerts(params: URLSearchParams): Promise<ProgressAlertsResponse>;
  /** `GET /progress/episodes/{id}`: as the alerts. */
  progressEpisode(id: string, params: URLSearchParams): Promise<ProgressEpisodeResponse>;
  signIn(username: string, password: string): Promise<void>;
  useToken(token: string): void;
  signOut(): Promise<void>;
  reportUrl(): string;
}

const TOKEN_KEY = 'iop.token';

/** sessionStorage keeps a pasted token for the tab only, which is what a shared workstation needs. */
export function sessionTokenStore(storage: Storage): TokenStore {
  return {
    get: () => storage.getItem(TOKEN_KEY),
    set: (token) => (token === null ? storage.removeItem(TOKEN_KEY) : storage.setItem(TOKEN_KEY, token)),
  };
}

/**
 * Whether this browser may hold a session cookie. The cookie is HttpOnly, so the page keeps
 * its own note; without it, probing /me before sign-in costs a 401 that the browser logs as
 * an error on every first visit.
 */
export interface SessionHint {
  get(): boolean;
  set(signedIn: boolean): void;
}

const SESSION_KEY = 'iop.session';

/** localStorage, like the cookie, outlives the tab (the cookie lasts one shift, api/README.md). */
export function storageSessionHint(storage: Storage): SessionHint {
  return {
    get: () => storage.getItem(SESSION_KEY) === '1',
    set: (on) => (on ? storage.setItem(SESSION_KEY, '1') : storage.removeItem(SESSION_KEY)),
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return { get: () => token, set: (t) => (token = t) };
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

async function errorFrom(res: Response): Promise<ApiError> {
  const fallback = `${res.status} ${res.statusText || 'request failed'}`.trim();
  try {
    const body: unknown = await res.json();
    if (isErrorBody(body)) return new ApiError(res.status, body.error, body.details);
  } catch {
    // A non-JSON error page (a proxy, a crash) still deserves a message.
  }
  return new ApiError(res.status, fallback);
}

/** Without a session hint every call goes to the server, as before; with one, a visitor with no credential is not probed. */
export function createApi(fetchFn: FetchLike, tokens: TokenStore, base = '/api/v1', session?: SessionHint): Api {
  const holdsCredential = () => !session || tokens.get() !== null || session.get();

  function headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    const token = tokens.get();
    if (token) h.authorization = `Bearer ${token}`;
    if (json) h['content-type'] = 'application/json';
    return h;
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await requestText(method, path, body);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async function requestText(method: string, path: string, body?: unknown): Promise<string> {
    let res: Response;
    try {
      res = await fetchFn(`${base}${path}`, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new ApiError(0, `The server could not be reached (${err instanceof Error ? err.message : String(err)}).`);
    }
    if (res.status === 401) {
      // The credential is dead: keeping it would send every retry into the same 401.
      tokens.set(null);
      session?.set(false);
    }
    if (!res.ok) throw await errorFrom(res);
    if (res.status === 204) return '';
    return res.text();
  }

  return {
    me: () => (holdsCredential() ? request<Me>('GET', '/me') : Promise.reject(new ApiError(401, 'Not signed in.'))),
    tracks: () => request<Track[]>('GET', '/tracks'),
    instruments: () => request<Instrument[]>('GET', '/instruments'),
    sites: () => request<Site[]>('GET', '/sites'),
    clinicians: () => request<Clinician[]>('GET', '/clinicians'),
    dimensionValues: () => request<DimensionValues>('GET', '/dimension-values'),
    metric: (name, params) => {
      const qs = params.toString();
      return request('GET', `/metrics/${name}${qs ? `?${qs}` : ''}`);
    },
    compare: (outcome, params) => {
      const qs = params.toString();
      return request('GET', `/compare/${outcome}${qs ? `?${qs}` : ''}`);
    },
    spc: (series, params) => {
      const qs = params.toString();
      return request('GET', `/spc/${series}${qs ? `?${qs}` : ''}`);
    },
    measure: (name, params) => {
      const qs = params.toString();
      return request('GET', `/measures/${name}${qs ? `?${qs}` : ''}`);
    },
    measureRowsCsv: (name, params) => {
      const q = new URLSearchParams(params);
      q.set('rows', 'true');
      q.set('format', 'csv');
      return requestText('GET', `/measures/${name}?${q.toString()}`);
    },
    progressBands: (instrument) => request('GET', `/progress/bands?${new URLSearchParams({ instrument }).toString()}`),
    progressAlerts: (params) => request('GET', `/progress/alerts?${params.toString()}`),
    progressEpisode: (id, params) => request('GET', `/progress/episodes/${encodeURIComponent(id)}?${params.toString()}`),
    signIn: async (username, password) => {
      tokens.set(null);
      await request<unknown>('POST', '/session', { username, password });
      session?.set(true);
    },
    useToken: (token) => tokens.set(token.trim() || null),
    signOut: async () => {
      tokens.set(null);
      // A token user never had a cookie; asking the server to end one only earns a 401.
      if (session && !session.get()) return;
      session?.set(false);
      try {
        await request<unknown>('DELETE', '/session');
      } catch (err) {
        // No cookie session to end (a token user) is already the signed-out state.
        if (!(err instanceof ApiError && err.status === 401)) throw err;
      }
    },
    reportUrl: () => `${base}/report?format=html`,
  };
}
