import type { ApiErrorBody, Instrument, Me, MetricName, MetricResponses, Track } from './types';

// The data loader takes its fetch as an argument (STYLE.md "Data loaders take their effects as
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
  metric<M extends MetricName>(name: M, params: URLSearchParams): Promise<MetricResponses[M]>;
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

export function createApi(fetchFn: FetchLike, tokens: TokenStore, base = '/api/v1'): Api {
  function headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    const token = tokens.get();
    if (token) h.authorization = `Bearer ${token}`;
    if (json) h['content-type'] = 'application/json';
    return h;
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    if (!res.ok) throw await errorFrom(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  return {
    me: () => request<Me>('GET', '/me'),
    tracks: () => request<Track[]>('GET', '/tracks'),
    instruments: () => request<Instrument[]>('GET', '/instruments'),
    metric: (name, params) => {
      const qs = params.toString();
      return request('GET', `/metrics/${name}${qs ? `?${qs}` : ''}`);
    },
    signIn: async (username, password) => {
      tokens.set(null);
      await request<unknown>('POST', '/session', { username, password });
    },
    useToken: (token) => tokens.set(token.trim() || null),
    signOut: async () => {
      tokens.set(null);
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
