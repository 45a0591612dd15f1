import { toRecord, type IncomingEvent, type Store, type StoreResult } from '../storage/store';

interface Pending {
  item: IncomingEvent;
  resolve: (r: StoreResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: requests arriving together are stored in one transaction, and each is
 * answered only after that commit is durable. On SQLite a batch leaves every event-loop turn
 * without waiting for the previous one (it commits at once, and one fsync covers every commit
 * made while the last one ran); on PostgreSQL one statement is under way at a time
 * (`maxInFlight` 1) and the requests arriving meanwhile go together in the next.
 */
export class IntakeWriter {
  private pending: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly target: Store,
    private readonly onCommit: () => void,
    /** Batches under way at once; requests arriving meanwhile wait and go together in the next. */
    private readonly maxInFlight = Infinity,
    private readonly maxBatch = 512,
  ) {}

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
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
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
