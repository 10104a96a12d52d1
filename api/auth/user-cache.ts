import type { AuthUser } from './users';

/**
 * Resolved tokens, kept for a few seconds (default 5 s) so that a burst of requests
 * does not cost one token lookup each. The price: a token revoked by another process
 * (or a user disabled in SQL) keeps working for at most that long. Signing out through
 * this server evicts its session at once. Keys are token hashes, never tokens.
 */
export class UserCache {
  private readonly entries = new Map<string, { user: AuthUser; at: number }>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(tokenHash: string): AuthUser | null {
    const hit = this.entries.get(tokenHash);
    if (!hit) return null;
    if (this.now() - hit.at > this.ttlMs) {
      this.entries.delete(tokenHash);
      return null;
    }
    return hit.user;
  }

  set(tokenHash: string, user: AuthUser): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(tokenHash, { user, at: this.now() });
  }

  evict(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }
}
