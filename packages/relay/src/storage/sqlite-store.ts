import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { SqliteDatabase } from './sqlite';
import {
  PRUNE_SPAN,
  pruneInSteps,
  type ClaimOptions,
  type ClaimRequest,
  type DeliveryStatus,
  type EventRecord,
  type Store,
  type StoreHealth,
  type AttemptRecord,
} from './store';
import { WalSync } from './wal-sync';
import { LocalWrites, serveWrites, WritesClient, type Writes } from './writes';

/**
 * The embedded store: one SQLite file, one relay. Its connection lives on the relay's main thread and does every
 * read and write there: each write is one short transaction (no fsync inside it), and with `synchronous: full` its
 * answer waits for an fsync of the WAL on a thread of its own, shared by every commit made meanwhile (see WalSync).
 * The delivery thread reads on a connection of its own (WAL: readers never wait for the writer) and sends its
 * writes here through a port.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: Writes,
    private readonly deliveryWrites?: MessagePort,
  ) {}

  /** The relay's own store. `deliveryPort`: the delivery thread's way to this store's writes (absent in memory). */
  static open(config: { path: string; synchronous: 'full' | 'normal' }): {
    store: SqliteStore;
    recovered: number;
    deliveryPort?: MessagePort;
  } {
    const inMemory = config.path === ':memory:';
    const durable = !inMemory && config.synchronous === 'full';
    // Durable commits sync the WAL themselves, on a thread of their own (WalSync); SQLite keeps syncing around checkpoints.
    const db = new SqliteDatabase(config.path, { synchronous: 'normal' });
    const writes = new LocalWrites(db, durable ? new WalSync(db.walPath()) : undefined);
    // One relay per file: deliveries in flight at the last stop belong to no one now.
    const recovered = db.recoverInFlight();
    // An in-memory database cannot be shared with another thread: deliveries run on this one.
    if (inMemory) return { store: new SqliteStore(db, writes), recovered };
    const { port1, port2 } = new MessageChannel();
    serveWrites(port1, writes);
    return { store: new SqliteStore(db, writes, port1), recovered, deliveryPort: port2 };
  }

  /** The delivery thread's store: its own read connection, writes through `port` to the relay's main thread. */
  static forDeliveryThread(config: { path: string }, port: MessagePort): SqliteStore {
    // It only reads: how it would sync does not matter.
    return new SqliteStore(new SqliteDatabase(config.path, { synchronous: 'normal' }), new WritesClient(port));
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
  /** Each step its own transaction on the main thread. */
  prune(before: number) {
    return pruneInSteps((from) => this.writes.call('prune', before, from, PRUNE_SPAN));
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
    if (!this.db.db.open) return { ok: false, engine: 'sqlite', error: 'closed' };
    const failed = this.writes instanceof LocalWrites ? this.writes.error : undefined;
    return failed ? { ok: false, engine: 'sqlite', error: failed.message } : { ok: true, engine: 'sqlite' };
  }

  async close(): Promise<void> {
    await this.writes.close();
    this.deliveryWrites?.close();
    this.db.close();
  }
}
