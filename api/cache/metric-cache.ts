import type { Kysely } from 'kysely';
import { readDataVersion } from '../../ingest/lineage';
import type { DB } from '../../warehouse/db-types';

/**
 * An in-process cache of serialized metric responses (the bench bar of BENCHMARKS.md:
 * p95 ≤ 50 ms at 50 connections). It is honest because:
 * - the key is everything the answer depends on: the metric, the normalized filters
 *   (with the as-of date, which defaults to today) and the effective min_cell;
 * - every lookup first reads the warehouse's data version (`readDataVersion` in
 *   ingest/lineage.ts: the number of finished batches and the latest `finished_at`). A batch committed by any process, the API or `iop ingest`,
 *   changes the version and empties the cache. The ingest route also bumps a local
 *   generation so its own caller never sees an old answer;
 * - entries expire after `maxAgeMs` (default 60 s), which bounds staleness after a
 *   change that is not a batch (an out-of-band `iop refresh`, hand-edited rows).
 * Concurrent lookups share one in-flight version query, and a version read is reused
 * for `versionTtlMs` (250 ms): under load the check costs a few queries per second,
 * not one per request, and a batch from another process shows within that time.
 */
export interface MetricCacheOptions {
  maxEntries?: number;
  maxAgeMs?: number;
  /** How long one data-version read is trusted (default 250 ms): the most a batch committed by another process can wait to show. */
  versionTtlMs?: number;
  now?: () => number;
}

interface Entry {
  body: string;
  at: number;
}

export class MetricCache {
  private readonly entries = new Map<string, Entry>();
  private version: string | null = null;
  private generation = 0;
  private inflight: Promise<string> | null = null;
  private versionReadAt = Number.NEGATIVE_INFINITY;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly versionTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DB>,
    opts: MetricCacheOptions = {},
  ) {
    this.maxEntries = opts.maxEntries ?? 1000;
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.versionTtlMs = opts.versionTtlMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  /** Returns the cached body for `key`, or computes, stores and returns it. */
  async get(key: string, compute: () => Promise<string>): Promise<string> {
    await this.checkVersion();
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at <= this.maxAgeMs) {
      // Map order is insertion order: re-inserting makes it the most recent (LRU).
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const generation = this.generation;
    const at = this.now();
    const body = await compute();
    // A batch that committed while we computed may or may not be in `body`: don't keep it.
    if (generation === this.generation) this.store(key, { body, at });
    return body;
  }

  /** Called by the ingest route after a batch: local callers see the change at once. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.versionReadAt = Number.NEGATIVE_INFINITY;
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  private async checkVersion(): Promise<void> {
    if (this.now() - this.versionReadAt < this.versionTtlMs) return;
    const startedAt = this.now();
    this.inflight ??= readDataVersion(this.db).finally(() => {
      this.inflight = null;
    });
    const version = await this.inflight;
    if (version !== this.version) {
      if (this.version !== null) this.invalidate();
      this.version = version;
    }
    this.versionReadAt = Math.max(this.versionReadAt, startedAt);
  }
}

/** A stable cache key: object keys sorted, so `?a=1&b=2` and `?b=2&a=1` share an entry. */
export function cacheKey(parts: Record<string, unknown>): string {
  return JSON.stringify(parts, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
