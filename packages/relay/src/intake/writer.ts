import type { IncomingEvent, Storage, StoreResult } from '../storage/db';

/**
 * Group commit: requests arriving together are stored in one transaction (one fsync),
 * and each is answered only after that commit.
 */
export class IntakeWriter {
  private pending: { item: IncomingEvent; resolve: (r: StoreResult) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly storage: Storage,
    private readonly onCommit: () => void,
    private readonly maxBatch = 512,
  ) {}

  store(item: IncomingEvent): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      const results = this.storage.storeBatch(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]!));
      this.onCommit();
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }
}
