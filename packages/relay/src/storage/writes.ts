import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite';

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
 * Every write of the relay, on this thread's connection, each in its own transaction. With `durableWal` (a file
 * with `synchronous: full`), the connection commits without syncing (`synchronous=NORMAL`: SQLite still syncs
 * around checkpoints) and a write is answered only once an `fdatasync` of the WAL that began after its commit has
 * returned — the durability of `synchronous=FULL`, but the fsync runs on libuv's pool: the thread keeps serving
 * HTTP and committing while the disk flushes, and every commit made meanwhile shares the next flush (group
 * commit at the fsync). fsync is per file, not per descriptor: syncing our own descriptor of the WAL covers
 * SQLite's writes to it. A failed fsync fails every write from then on (its pages may be lost; retrying fsync
 * can report success for data that never reached the disk).
 */
export class LocalWrites implements Writes {
  private waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private syncing: Promise<void> | undefined;
  private walFd: number | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly storage: SqliteDatabase,
    private readonly durableWal?: string,
    private readonly fdatasync: (fd: number, done: (error: Error | null) => void) => void = fs.fdatasync,
  ) {}

  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>> {
    if (this.failure) return Promise.reject(this.failure);
    let result: Result<K>;
    try {
      result = (this.storage[op] as (...a: unknown[]) => Result<K>)(...args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.durableWal === undefined) return Promise.resolve(result);
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sync();
    }).then(() => result);
  }

  /** One fdatasync at a time, for every commit made before it began. */
  private sync(): void {
    if (this.syncing || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.syncing = new Promise((done) => {
      const settle = (error: Error | null) => {
        if (error)
          this.failure ??= new Error(
            `SQLite writes could not be made durable (fsync of the WAL failed: ${error.message}); restart the relay`,
          );
        const failure = this.failure;
        this.syncing = undefined;
        done();
        // Once failed, what waits for the next fsync fails too: nothing is acknowledged from then on.
        for (const w of failure ? [...batch, ...this.waiting.splice(0)] : batch) {
          if (failure) w.reject(failure);
          else w.resolve();
        }
        this.sync();
      };
      try {
        this.walFd ??= fs.openSync(this.durableWal!, 'r');
        this.fdatasync(this.walFd, settle);
      } catch (error) {
        settle(error as Error);
      }
    });
  }

  /** Waits for the fsync under way (and the ones it starts), then lets go of the WAL. */
  async close(): Promise<void> {
    while (this.syncing) await this.syncing;
    if (this.walFd !== undefined) fs.closeSync(this.walFd);
    this.walFd = undefined;
    this.failure ??= new Error('writes closed');
  }

  /** Whether writes still work (a failed fsync stops them). */
  get error(): Error | undefined {
    return this.failure;
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

/** A thread's script, `relative` to the package's dist/. Run from the sources (ts-jest), threads still need the build. */
export function threadScript(relative: string): string {
  const script = join(__filename.endsWith('.ts') ? resolve(__dirname, '../../dist') : resolve(__dirname, '..'), relative);
  if (!fs.existsSync(script)) throw new Error(`The relay's thread script is not built (${script}): run npm run build`);
  return script;
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
