import { Worker } from 'node:worker_threads';
import { threadScript } from '../thread-script';

/** What the sync thread reports: every commit counted up to `synced` is durable, or the fsync failed. */
export type WalSyncMessage = { synced: bigint } | { error: string };

/** What the sync thread is started with: the WAL to sync and the shared count of commits (-1 once closed). */
export interface WalSyncData {
  walPath: string;
  commits: BigInt64Array;
}

const startThread = (data: WalSyncData) => new Worker(threadScript('storage/wal-sync-thread.js'), { workerData: data });

/**
 * Makes SQLite's commits durable: an fdatasync of the WAL on a thread of its own. The main thread counts each
 * commit in shared memory, with no message and no system call while the thread is busy; the thread syncs as long
 * as the count moves, each fsync covering every commit counted before it began (group commit at the fsync), and
 * reports how far it got. Back to back under load: the next fsync does not wait for the main thread to hear of the
 * last one (against an fsync a time on libuv's pool: intake +2–5% in three paired A/B, bench/relay).
 * A failed fsync fails every commit from then on: its pages may be lost, and a later fsync can succeed without them.
 */
export class WalSync {
  private readonly commits = new BigInt64Array(new SharedArrayBuffer(8));
  private counted = 0n;
  /** Commits not yet durable, in order. */
  private waiting: { commit: bigint; resolve: () => void; reject: (e: Error) => void }[] = [];
  private thread: Worker | undefined;
  private exited: Promise<unknown> | undefined;
  private failure: Error | undefined;

  /** `start`: the thread (tests start one whose fsync they control). */
  constructor(
    private readonly walPath: string,
    private readonly start: (data: WalSyncData) => Worker = startThread,
  ) {}

  /** Resolves once an fsync that began after this call has returned. */
  committed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let thread: Worker;
    try {
      thread = this.thread ??= this.startThread();
    } catch (error) {
      this.fail(`its sync thread did not start: ${(error as Error).message}`);
      return Promise.reject(this.failure);
    }
    const commit = ++this.counted;
    Atomics.store(this.commits, 0, commit);
    Atomics.notify(this.commits, 0);
    // The thread keeps the process alive only while commits wait for it (a CLI command exits once answered).
    if (this.waiting.length === 0) thread.ref();
    return new Promise((resolve, reject) => this.waiting.push({ commit, resolve, reject }));
  }

  /** Whether commits are still made durable (a failed fsync stops them for good). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Waits for the commits counted so far, then stops the thread. */
  async close(): Promise<void> {
    const last = this.waiting.at(-1);
    if (last) await new Promise<void>((done) => this.waiting.push({ commit: last.commit, resolve: done, reject: () => done() }));
    this.failure ??= new Error('writes closed');
    if (!this.thread) return;
    Atomics.store(this.commits, 0, -1n);
    Atomics.notify(this.commits, 0);
    await this.exited;
  }

  private startThread(): Worker {
    const thread = this.start({ walPath: this.walPath, commits: this.commits });
    thread.on('message', (message: WalSyncMessage) => {
      if ('synced' in message) this.synced(message.synced);
      else this.fail(`fsync of the WAL failed: ${message.error}`);
    });
    thread.on('error', (error) => this.fail(`its sync thread failed: ${error.message}`));
    // Heard once, whenever it happens (a failed fsync ends the thread before close() asks it to).
    this.exited = new Promise((done) =>
      thread.once('exit', () => {
        this.fail('its sync thread stopped');
        done(undefined);
      }),
    );
    return thread;
  }

  private synced(upTo: bigint): void {
    let n = 0;
    while (n < this.waiting.length && this.waiting[n]!.commit <= upTo) n++;
    for (const w of this.waiting.splice(0, n)) w.resolve();
    if (this.waiting.length === 0) this.thread?.unref();
  }

  private fail(reason: string): void {
    this.failure ??= new Error(`SQLite writes could not be made durable (${reason}); restart the relay`);
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
    this.thread?.unref();
  }
}
