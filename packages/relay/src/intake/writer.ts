import { toRecord, type IncomingEvent, type StoreResult } from '../storage/db';
import type { Writes } from '../storage/writes';

interface Pending {
  item: IncomingEvent;
  resolve: (r: StoreResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: requests arriving together are stored in one transaction (one fsync),
 * and each is answered only after that commit. One batch is written at a time; what
 * arrives meanwhile forms the next, so batches grow with the load.
 */
export class IntakeWriter {
  private pending: Pending[] = [];
  private scheduled = false;
  private writing = false;

  constructor(
    private readonly writes: Writes,
    private readonly onCommit: () => void,
    private readonly maxBatch = 512,
  ) {}

  store(item: IncomingEvent): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled && !this.writing) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.writing || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.writing = true;
    try {
      const results = await this.writes.call(
        'storeBatch',
        batch.map((b) => toRecord(b.item)),
      );
      batch.forEach((b, i) => b.resolve(results[i]!));
      this.onCommit();
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      this.writing = false;
      // What arrived during the write is the next batch.
      if (this.pending.length > 0) void this.flush();
    }
  }
}
