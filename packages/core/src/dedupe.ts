/**
 * Idempotency: remembers event ids it has seen so retries are handled once. The relay
 * backs this interface with SQLite; this in-memory one suits a single process.
 */
export interface IdempotencyStore {
  /** Records `key`; resolves true when it was new, false when it was already seen. */
  claim(key: string): boolean | Promise<boolean>;
  /** Forgets `key`, so a handler that failed can be retried by the provider. */
  release(key: string): void | Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** How long an id is remembered. Default 24 h, longer than providers' retry windows. */
  ttlMs?: number;
  /** Most ids kept; the oldest go first. Default 100,000. */
  maxEntries?: number;
  /** Clock override for tests. */
  now?: () => number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.seen.size;
  }

  claim(key: string): boolean {
    const now = this.now();
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > now) return false;
    // Re-insert so Map order stays oldest-first for eviction.
    this.seen.delete(key);
    this.seen.set(key, now + this.ttlMs);
    this.evict(now);
    return true;
  }

  release(key: string): void {
    this.seen.delete(key);
  }

  private evict(now: number): void {
    for (const [key, expires] of this.seen) {
      if (this.seen.size <= this.maxEntries && expires > now) break;
      this.seen.delete(key);
    }
  }
}
