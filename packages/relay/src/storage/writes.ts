import type { MessagePort } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite';
import type { WalSync } from './wal-sync';

/** The storage calls that write: they run on the relay's main thread, one at a time, in order. */
export const WRITE_OPS = ['storeEvents', 'claim', 'recordAttempts', 'release', 'prune', 'replayEvent', 'replayFailed'] as const;
export type WriteOp = (typeof WRITE_OPS)[number];
type Args<K extends WriteOp> = Parameters<SqliteDatabase[K]>;
type Result<K extends WriteOp> = ReturnType<SqliteDatabase[K]>;

export type WriteRequest = { id: number; op: WriteOp; args: unknown[] };
export type WriteReply = { id: number; result: unknown } | { id: number; error: string };

/** Every SQLite write of the relay, as a promise. */
export interface Writes {
  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>>;
  close(): Promise<void>;
}

/**
 * Every write of the relay, on this thread's connection, each in its own transaction. With `durable` (a file with
 * `synchronous: full`), the connection commits without syncing (`synchronous=NORMAL`: SQLite still syncs around
 * checkpoints) and a write is answered only once an fsync of the WAL that began after its commit has returned —
 * the durability of `synchronous=FULL`, with the fsync off this thread (WalSync): it keeps serving HTTP and
 * committing while the disk flushes.
 */
export class LocalWrites implements Writes {
  constructor(
    private readonly storage: SqliteDatabase,
    private readonly durable?: WalSync,
  ) {}

  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>> {
    if (this.durable?.error) return Promise.reject(this.durable.error);
    let result: Result<K>;
    try {
      result = (this.storage[op] as (...a: unknown[]) => Result<K>)(...args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.durable) return Promise.resolve(result);
    return this.durable.committed().then(() => result);
  }

  /** Waits for the commits made so far to be durable, then stops syncing. */
  async close(): Promise<void> {
    await this.durable?.close();
  }

  /** Whether writes still work (a failed fsync stops them). */
  get error(): Error | undefined {
    return this.durable?.error;
  }
}

/** Serves another thread's `WritesClient` (the delivery thread's) on `port`, with `writes`. */
export function serveWrites(port: MessagePort, writes: Writes): void {
  port.on('message', ({ id, op, args }: WriteRequest) => {
    const reply = (message: WriteReply) => port.postMessage(message);
    if (!(WRITE_OPS as readonly string[]).includes(op)) return reply({ id, error: `not a write: ${op}` });
    (writes.call as (op: string, ...a: unknown[]) => Promise<unknown>)(op, ...args).then(
      (result) => reply({ id, result }),
      (error: Error) => reply({ id, error: error.message }),
    );
  });
}

/** Anything requests can be posted through: a MessagePort to the thread that writes. */
interface Endpoint {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (reply: WriteReply) => void): unknown;
}

/** Writes sent to the thread that writes (the delivery thread's way to the main thread's connection). */
export class WritesClient implements Writes {
  private readonly waiting = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(private readonly endpoint: Endpoint) {
    endpoint.on('message', (reply: WriteReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('result' in reply) waiter?.resolve(reply.result as never);
      else waiter?.reject(new Error(`SQLite write failed: ${reply.error}`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: never) => void, reject });
      this.endpoint.postMessage({ id, op, args } satisfies WriteRequest);
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('writes closed'));
  }
}
