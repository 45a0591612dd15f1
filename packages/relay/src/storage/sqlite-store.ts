import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { SqliteDatabase } from './sqlite';
import type { ClaimOptions, ClaimRequest, DeliveryStatus, EventRecord, Store, StoreHealth, AttemptRecord } from './store';
import { inlineWrites, ThreadWrites, WritesClient, type Writes } from './writes';

/**
 * The embedded store: one SQLite file, one relay. Reads run on a connection of the calling
 * thread (WAL lets them proceed while a write commits); every write goes to one writer — the
 * write thread, which folds whatever queued up during a commit into the next (group commit),
 * or this thread for an in-memory database (it cannot be shared with another thread).
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: Writes,
  ) {}

  /** The relay's own store. `deliveryPort`: a second way to the writer, for the delivery thread (absent in memory). */
  static open(config: { path: string; synchronous: 'full' | 'normal' }): {
    store: SqliteStore;
    recovered: number;
    deliveryPort?: MessagePort;
  } {
    const db = new SqliteDatabase(config.path, { synchronous: config.synchronous });
    // One relay per file: deliveries in flight at the last stop belong to no one now.
    const recovered = db.recoverInFlight();
    if (config.path === ':memory:') return { store: new SqliteStore(db, inlineWrites(db)), recovered };
    const { port1, port2 } = new MessageChannel();
    return { store: new SqliteStore(db, new ThreadWrites(config.path, config.synchronous, port1)), recovered, deliveryPort: port2 };
  }

  /** The delivery thread's store: its own read connection, writes through `port` to the relay's writer. */
  static forDeliveryThread(config: { path: string; synchronous: 'full' | 'normal' }, port: MessagePort): SqliteStore {
    return new SqliteStore(new SqliteDatabase(config.path, { synchronous: config.synchronous }), new WritesClient(port));
  }

  /** Migrated when opened. */
  async open(): Promise<void> {}

  storeEvents(records: readonly EventRecord[]) {
    return this.writes.call('storeEvents', records);
  }
  claim(requests: readonly ClaimRequest[], options: ClaimOptions) {
    return this.writes.call('claim', requests, options);
  }
  recordAttempts(records: readonly AttemptRecord[]) {
    return this.writes.call('recordAttempts', records);
  }
  release(ids: readonly number[], at: number, now: number) {
    return this.writes.call('release', ids, at, now);
  }
  prune(before: number) {
    return this.writes.call('prune', before);
  }
  replayEvent(eventRowid: number, now: number) {
    return this.writes.call('replayEvent', eventRowid, now);
  }
  replayFailed(filter: { route?: string; since?: number }, now: number) {
    return this.writes.call('replayFailed', filter, now);
  }

  async event(rowid: number) {
    return this.db.event(rowid);
  }
  async events(rowids: readonly number[]) {
    return rowids.flatMap((rowid) => this.db.event(rowid) ?? []);
  }
  async nextDueAt() {
    return this.db.db.open ? this.db.nextDueAt() : undefined;
  }
  async queueDepth() {
    return this.db.queueDepth();
  }
  async listEvents(filter: { source?: string; type?: string; limit: number; beforeId?: number }) {
    return this.db.listEvents(filter);
  }
  async findEvents(id: string, source?: string) {
    return this.db.findEvents(id, source);
  }
  async deliveriesOf(eventRowid: number) {
    return this.db.deliveriesOf(eventRowid);
  }
  async listDeliveries(filter: { status?: DeliveryStatus; route?: string; since?: number; limit: number }) {
    return this.db.listDeliveries(filter);
  }
  async stats(since: number) {
    return this.db.stats(since);
  }

  /** One relay per file: there is no one else to hear from. */
  subscribe(): void {}

  health(): StoreHealth {
    return this.db.db.open ? { ok: true, engine: 'sqlite' } : { ok: false, engine: 'sqlite', error: 'closed' };
  }

  async close(): Promise<void> {
    await this.writes.close();
    this.db.close();
  }
}
