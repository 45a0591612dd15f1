import { toRecord, type IncomingEvent, type Store, type StoreResult } from '../storage/store';

interface Pending {
  item: IncomingEvent;
  resolve: (r: StoreResult) => void;
  reject: (e: unknown) => void;
}

/** When a batch of waiting requests leaves for the store. */
export interface BatchLimits {
  /** Batches under way at once. */
  maxInFlight: number;
  /** While one is under way, another leaves only with at least this many requests; fewer wait for it. */
  minBatchWhileBusy: number;
  maxBatch: number;
}

/**
 * Group commit: requests arriving together are stored in one transaction, and each is
 * answered only after that commit is durable. By default a batch leaves every event-loop turn
 * without waiting for the previous one (SQLite commits it at once, and one fsync covers every
 * commit made while the last one ran); `limits` hold batches back for a store where each one
 * costs a round trip and a commit (PostgreSQL).
 */
export class IntakeWriter {
  private pending: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly limits: BatchLimits;

  constructor(
    private readonly target: Store,
    private readonly onCommit: () => void,
    limits: Partial<BatchLimits> = {},
  ) {
    this.limits = { maxInFlight: Infinity, minBatchWhileBusy: 1, maxBatch: 512, ...limits };
  }

  store(item: IncomingEvent): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const { maxInFlight, minBatchWhileBusy, maxBatch } = this.limits;
    while (this.pending.length > 0 && this.inFlight < maxInFlight && (this.inFlight === 0 || this.pending.length >= minBatchWhileBusy)) {
      const batch = this.pending.splice(0, maxBatch);
      this.inFlight++;
      const settled = () => {
        this.inFlight--;
        if (this.pending.length && !this.scheduled) this.flush();
      };
      this.target.storeEvents(batch.map((b) => toRecord(b.item))).then(
        (results) => {
          settled();
          batch.forEach((b, i) => b.resolve(results[i]!));
          // Wake the delivery worker only when the batch gave it something to do.
          if (results.some((r) => !r.duplicate && r.deliveries > 0)) this.onCommit();
        },
        (error: unknown) => {
          settled();
          for (const b of batch) b.reject(error);
        },
      );
    }
  }
}
