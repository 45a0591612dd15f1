import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Storage } from './db';

/** The storage calls that write: they run on the write thread, one at a time, in order. */
export const WRITE_OPS = ['storeBatch', 'claim', 'recordAttempts', 'postpone', 'prune'] as const;
export type WriteOp = (typeof WRITE_OPS)[number];
type Args<K extends WriteOp> = Parameters<Storage[K]>;
type Result<K extends WriteOp> = ReturnType<Storage[K]>;

export type WriteRequest = { id: number; op: WriteOp; args: unknown[] } | { id: number; op: 'close'; args: [] };
export type WriteReply = { id: number; result: unknown } | { id: number; error: string };

/** Every SQLite write of the relay, as a promise. */
export interface Writes {
  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>>;
  close(): Promise<void>;
}

/** Writes on this thread (an in-memory database cannot be shared with another thread). */
export function inlineWrites(storage: Storage): Writes {
  return {
    call: async (op, ...args) => (storage[op] as (...a: unknown[]) => never)(...args),
    close: async () => undefined,
  };
}

// Run from the sources (ts-jest), the thread still needs JavaScript: the build's copy.
function threadScript(): string {
  const script = __filename.endsWith('.ts') ? resolve(__dirname, '../../dist/storage/write-thread.js') : join(__dirname, 'write-thread.js');
  if (!existsSync(script)) throw new Error(`The SQLite write thread is not built (${script}): run npm run build`);
  return script;
}

/**
 * A worker thread with its own connection does every write: inserts, claims, attempt
 * results and their commits (the fsyncs), so the main thread keeps serving HTTP meanwhile.
 * WAL lets the main connection read (admin, event look-ups) without waiting for it.
 */
export class ThreadWrites implements Writes {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(path: string, synchronous: 'full' | 'normal') {
    this.worker = new Worker(threadScript(), { workerData: { path, synchronous } });
    this.worker.on('message', (reply: WriteReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('result' in reply) waiter?.resolve(reply.result as never);
      else waiter?.reject(new Error(`SQLite write failed: ${reply.error}`));
    });
    this.exited = new Promise((done) => {
      this.worker.once('error', (error) => this.fail(error));
      this.worker.once('exit', (code) => {
        this.fail(new Error(`the SQLite write thread stopped (exit code ${code})`));
        done();
      });
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
      this.worker.postMessage({ id, op, args } satisfies WriteRequest);
    });
  }

  /** The thread finishes the writes already sent, closes its connection and exits. */
  async close(): Promise<void> {
    if (!this.failure) this.worker.postMessage({ id: 0, op: 'close', args: [] } satisfies WriteRequest);
    await this.exited;
  }
}
