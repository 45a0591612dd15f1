import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite';

/** The storage calls that write: they run on the write thread, one at a time, in order. */
export const WRITE_OPS = ['storeEvents', 'claim', 'recordAttempts', 'release', 'prune', 'replayEvent', 'replayFailed'] as const;
export type WriteOp = (typeof WRITE_OPS)[number];
type Args<K extends WriteOp> = Parameters<SqliteDatabase[K]>;
type Result<K extends WriteOp> = ReturnType<SqliteDatabase[K]>;

export type WriteRequest = { id: number; op: WriteOp; args: unknown[] } | { id: number; op: 'close'; args: [] };
export type WriteReply = { id: number; result: unknown } | { id: number; error: string };

/** Every SQLite write of the relay, as a promise. */
export interface Writes {
  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>>;
  close(): Promise<void>;
}

/** Writes on this thread (an in-memory database cannot be shared with another thread). */
export function inlineWrites(storage: SqliteDatabase): Writes {
  return {
    call: async (op, ...args) => (storage[op] as (...a: unknown[]) => never)(...args),
    close: async () => undefined,
  };
}

/** A thread's script, `relative` to the package's dist/. Run from the sources (ts-jest), threads still need the build. */
export function threadScript(relative: string): string {
  const script = join(__filename.endsWith('.ts') ? resolve(__dirname, '../../dist') : resolve(__dirname, '..'), relative);
  if (!existsSync(script)) throw new Error(`The relay's thread script is not built (${script}): run npm run build`);
  return script;
}

/** Anything requests can be posted through: the write thread's Worker, or a MessagePort to it. */
interface Endpoint {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (reply: WriteReply) => void): unknown;
}

/** Requests to the write thread over an endpoint, answered in order. */
export class WritesClient implements Writes {
  private readonly waiting = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  protected failure: Error | undefined;

  constructor(private readonly endpoint: Endpoint) {
    endpoint.on('message', (reply: WriteReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('result' in reply) waiter?.resolve(reply.result as never);
      else waiter?.reject(new Error(`SQLite write failed: ${reply.error}`));
    });
  }

  protected fail(error: Error): void {
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

/**
 * A worker thread with its own connection does every write: inserts, claims, attempt
 * results and their commits (the fsyncs), so the main thread keeps serving HTTP meanwhile.
 * WAL lets the other connections read (admin, event look-ups) without waiting for it.
 * `extraPort` is a second way in (the delivery thread's).
 */
export class ThreadWrites extends WritesClient {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(path: string, synchronous: 'full' | 'normal', extraPort?: MessagePort) {
    const worker = new Worker(threadScript('storage/write-thread.js'), {
      workerData: { path, synchronous, extraPort },
      transferList: extraPort ? [extraPort] : [],
    });
    super(worker);
    this.worker = worker;
    this.exited = new Promise((done) => {
      worker.once('error', (error) => this.fail(error));
      worker.once('exit', (code) => {
        this.fail(new Error(`the SQLite write thread stopped (exit code ${code})`));
        done();
      });
    });
  }

  /** The thread finishes the writes already sent, closes its connection and exits. */
  override async close(): Promise<void> {
    if (!this.failure) this.worker.postMessage({ id: 0, op: 'close', args: [] } satisfies WriteRequest);
    await this.exited;
  }
}
