import { describe, expect, it } from 'vitest';
import { ApiError, createApi, memoryTokenStore, type FetchLike } from '../../dashboard/src/api';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (url: string, init?: RequestInit) => Response): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond(url, init);
    },
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function header(call: Call | undefined, name: string): string | undefined {
  return (call?.init?.headers as Record<string, string> | undefined)?.[name];
}

describe('API loader', () => {
  it('sends a pasted token as Authorization: Bearer and builds the metric URL from the filters', async () => {
    const f = fakeFetch(() => json(200, { metric: 'retention', groups: [] }));
    const api = createApi(f.fetch, memoryTokenStore());
    api.useToken('  tok-123 ');
    await api.metric('retention', new URLSearchParams('track=day&track=evening&group_by=track'));
    expect(f.calls[0]?.url).toBe('/api/v1/metrics/retention?track=day&track=evening&group_by=track');
    expect(header(f.calls[0], 'authorization')).toBe('Bearer tok-123');
  });

  it('signs in with a JSON body and relies on the cookie afterwards', async () => {
    const f = fakeFetch(() => new Response(null, { status: 204 }));
    const api = createApi(f.fetch, memoryTokenStore());
    await api.signIn('director', 's3cret');
    expect(f.calls[0]?.url).toBe('/api/v1/session');
    expect(f.calls[0]?.init?.method).toBe('POST');
    expect(JSON.parse(String(f.calls[0]?.init?.body))).toEqual({ username: 'director', password: 's3cret' });
    expect(header(f.calls[0], 'authorization')).toBeUndefined();
  });

  it('turns a 401 into an ApiError carrying the server message', async () => {
    const api = createApi(fakeFetch(() => json(401, { error: 'invalid credentials', details: [] })).fetch, memoryTokenStore());
    const err = await api.signIn('director', 'wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, message: 'invalid credentials' });
  });

  it('reports a non-JSON error page and an unreachable server as messages', async () => {
    const html = createApi(fakeFetch(() => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' })).fetch, memoryTokenStore());
    await expect(html.tracks()).rejects.toMatchObject({ status: 502, message: '502 Bad Gateway' });
    const down = createApi(() => Promise.reject(new TypeError('fetch failed')), memoryTokenStore());
    await expect(down.me()).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/could not be reached/) });
  });

  it('forgets the token on sign-out and ends the cookie session', async () => {
    const f = fakeFetch(() => new Response(null, { status: 204 }));
    const tokens = memoryTokenStore('tok');
    await createApi(f.fetch, tokens).signOut();
    expect(tokens.get()).toBeNull();
    expect(f.calls.map((c) => c.init?.method)).toEqual(['DELETE']);
  });
});
