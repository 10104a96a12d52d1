import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { cacheKey, MetricCache } from '../../api/cache/metric-cache';
import { UserCache } from '../../api/auth/user-cache';
import type { DB } from '../../warehouse/db-types';

/** A stand-in warehouse whose data version the test sets (only `readDataVersion`'s query runs). */
function fakeDb(version: { n: number }): { db: Kysely<DB>; reads: () => number } {
  let reads = 0;
  const db = {
    getExecutor: () => ({
      transformQuery: (q: unknown) => q,
      compileQuery: (q: unknown) => ({ query: q, sql: 'select', parameters: [] }),
      executeQuery: async () => {
        reads++;
        return { rows: [{ n: String(version.n), last: 'x' }] };
      },
    }),
  } as unknown as Kysely<DB>;
  return { db, reads: () => reads };
}

describe('MetricCache', () => {
  it('serves a hit until the data version changes, then recomputes', async () => {
    const version = { n: 1 };
    let clock = 0;
    const { db } = fakeDb(version);
    const cache = new MetricCache(db, { now: () => clock, versionTtlMs: 0 });
    let computed = 0;
    const compute = async () => `body ${++computed}`;
    expect(await cache.get('k', compute)).toBe('body 1');
    expect(await cache.get('k', compute)).toBe('body 1');
    version.n = 2;
    expect(await cache.get('k', compute)).toBe('body 2');
    clock += 60_001;
    expect(await cache.get('k', compute)).toBe('body 3');
  });

  it('drops everything on invalidate, and does not keep a body computed across it', async () => {
    const { db } = fakeDb({ n: 1 });
    const cache = new MetricCache(db, { versionTtlMs: 0 });
    const slow = cache.get('k', async () => {
      cache.invalidate();
      return 'computed before the batch';
    });
    expect(await slow).toBe('computed before the batch');
    expect(cache.size).toBe(0);
  });

  it('reads the version at most once per versionTtlMs', async () => {
    let clock = 0;
    const f = fakeDb({ n: 1 });
    const cache = new MetricCache(f.db, { now: () => clock, versionTtlMs: 250 });
    await Promise.all(Array.from({ length: 50 }, () => cache.get('k', async () => 'b')));
    expect(f.reads()).toBe(1);
    clock += 251;
    await cache.get('k', async () => 'b');
    expect(f.reads()).toBe(2);
  });

  it('keys filters independently of property order', () => {
    expect(cacheKey({ metric: 'retention', filters: { b: 1, a: [2] } })).toBe(cacheKey({ filters: { a: [2], b: 1 }, metric: 'retention' }));
  });
});

describe('UserCache', () => {
  it('forgets a user after its TTL and on eviction', () => {
    let clock = 0;
    const cache = new UserCache(5000, 10, () => clock);
    const user = { username: 'u', role: 'viewer' as const, tracks: ['day'], sites: null };
    cache.set('h', user);
    expect(cache.get('h')).toEqual(user);
    clock += 5001;
    expect(cache.get('h')).toBeNull();
    cache.set('h', user);
    cache.evict('h');
    expect(cache.get('h')).toBeNull();
  });
});
