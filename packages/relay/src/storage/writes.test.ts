// Durable writes on the main thread: commits answered only after an fsync of the WAL on the sync thread, one fsync
// shared by every commit made while the last one ran, and a failed fsync stopping writes for good.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SqliteDatabase } from './sqlite';
import { toRecord } from './store';
import { incomingEvent as incoming } from '../test-support';
import { threadScript } from '../thread-script';
import { WalSync, type WalSyncData } from './wal-sync';
import { LocalWrites } from './writes';

function database(): { storage: SqliteDatabase; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'hb-writes-')), 'relay.db');
  return { storage: new SqliteDatabase(path, { synchronous: 'normal' }), path };
}

/**
 * The sync thread's own loop, with an fsync the test lets go: `gate[0]` counts the fsyncs begun, and fsync n
 * waits until `gate[1]` reaches n, then fails with `failWith` or runs the real fdatasync.
 */
function gatedThread(gate: Int32Array, failWith?: string, started: Worker[] = []) {
  return (data: WalSyncData) => {
    const thread = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { fdatasyncSync, openSync } = require('node:fs');
       const { syncLoop } = require(workerData.script);
       const { gate, walPath, commits, failWith } = workerData;
       const fd = openSync(walPath, 'r');
       syncLoop(commits, () => {
         const n = Atomics.add(gate, 0, 1) + 1;
         for (let released; (released = Atomics.load(gate, 1)) < n; ) Atomics.wait(gate, 1, released);
         if (failWith) throw new Error(failWith);
         fdatasyncSync(fd);
       }, (message) => parentPort.postMessage(message));`,
      { eval: true, workerData: { ...data, gate, failWith, script: threadScript('storage/wal-sync-thread.js') } },
    );
    started.push(thread);
    return thread;
  };
}

const newGate = () => new Int32Array(new SharedArrayBuffer(8));
function release(gate: Int32Array, upTo: number): void {
  Atomics.store(gate, 1, upTo);
  Atomics.notify(gate, 1);
}
async function begun(gate: Int32Array, n: number): Promise<void> {
  while (Atomics.load(gate, 0) < n) await new Promise((r) => setTimeout(r, 2));
}
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('LocalWrites (SQLite, synchronous: full)', () => {
  test('a write is answered only after an fsync that began after its commit; commits made meanwhile share the next one', async () => {
    const { storage, path } = database();
    const gate = newGate();
    const writes = new LocalWrites(storage, new WalSync(`${path}-wal`, gatedThread(gate)));
    const answered: string[] = [];
    const answer = (name: string) => () => answered.push(name);

    const first = writes.call('storeEvents', [toRecord(incoming())]).then(answer('first'));
    await begun(gate, 1);
    // Committed while the first fsync runs: they wait for the next one, and share it.
    const second = writes.call('storeEvents', [toRecord(incoming())]).then(answer('second'));
    const third = writes.call('storeEvents', [toRecord(incoming()), toRecord(incoming())]).then(answer('third'));
    await settle();
    expect(answered).toEqual([]);

    release(gate, 1);
    await first;
    // The next fsync begins by itself (the thread saw more commits) and holds the two made during the first.
    await begun(gate, 2);
    await settle();
    expect(answered).toEqual(['first']);

    release(gate, 2);
    await Promise.all([second, third]);
    expect(answered).toEqual(['first', 'second', 'third']);
    // Two fsyncs for three commits.
    expect(Atomics.load(gate, 0)).toBe(2);
    // Committed, not only promised: another connection reads all four.
    const reader = new SqliteDatabase(path);
    expect(reader.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 4 });
    reader.close();
    await writes.close();
    storage.close();
  });

  test('a failed fsync fails the writes waiting for it and every write after it, with a clear error', async () => {
    const { storage, path } = database();
    const gate = newGate();
    const threads: Worker[] = [];
    const writes = new LocalWrites(storage, new WalSync(`${path}-wal`, gatedThread(gate, 'EIO: i/o error', threads)));
    const first = writes.call('storeEvents', [toRecord(incoming())]);
    await begun(gate, 1);
    const second = writes.call('storeEvents', [toRecord(incoming())]);
    release(gate, 1);
    const durable = /SQLite writes could not be made durable \(fsync of the WAL failed: EIO: i\/o error\); restart the relay/;
    await expect(first).rejects.toThrow(durable);
    await expect(second).rejects.toThrow(durable);
    // The disk may have dropped those pages: nothing is acknowledged from now on, even if a later fsync would pass.
    await expect(writes.call('storeEvents', [toRecord(incoming())])).rejects.toThrow(durable);
    expect(writes.error?.message).toMatch(/fsync of the WAL failed/);
    // The thread ended with the failed fsync, before anyone closed: closing does not wait for it again.
    if (threads[0]!.threadId !== -1) await once(threads[0]!, 'exit');
    await writes.close();
    storage.close();
  });

  test('a sync thread that cannot start fails the write with a clear error, and every write after it', async () => {
    const { storage, path } = database();
    const writes = new LocalWrites(
      storage,
      new WalSync(`${path}-wal`, () => {
        throw new Error('no thread script');
      }),
    );
    const cannot = /SQLite writes could not be made durable \(its sync thread did not start: no thread script\)/;
    await expect(writes.call('storeEvents', [toRecord(incoming())])).rejects.toThrow(cannot);
    await expect(writes.call('storeEvents', [toRecord(incoming())])).rejects.toThrow(cannot);
    await writes.close();
    storage.close();
  });

  test('the real sync thread: writes are answered, close waits for them and stops the thread', async () => {
    const { storage, path } = database();
    const sync = new WalSync(`${path}-wal`);
    const writes = new LocalWrites(storage, sync);
    const results = await Promise.all(Array.from({ length: 20 }, () => writes.call('storeEvents', [toRecord(incoming())])));
    expect(results.map(([r]) => r!.duplicate)).toEqual(Array(20).fill(false));
    const last = writes.call('storeEvents', [toRecord(incoming())]);
    await writes.close();
    await expect(last).resolves.toHaveLength(1);
    await expect(writes.call('storeEvents', [toRecord(incoming())])).rejects.toThrow(/writes closed/);
    storage.close();
  });

  test('a process that writes and never closes still exits, once its writes are answered', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hb-writes-'));
    const dist = (module: string) => JSON.stringify(resolve(__dirname, '../../dist/storage', module));
    const script = `const { SqliteDatabase } = require(${dist('sqlite.js')});
      const { WalSync } = require(${dist('wal-sync.js')});
      const { LocalWrites } = require(${dist('writes.js')});
      const storage = new SqliteDatabase(${JSON.stringify(join(dir, 'relay.db'))}, { synchronous: 'normal' });
      const writes = new LocalWrites(storage, new WalSync(storage.walPath()));
      writes.call('replayFailed', {}, Date.now()).then((n) => console.log('answered', n));`;
    // The thread holds the process only while a write waits for it: no hang, and no exit before the answer.
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('answered 0');
    expect(run.status).toBe(0);
  });

  test('without a WAL to sync (synchronous: normal, or in memory) a write is answered at its commit', async () => {
    const { storage } = database();
    const writes = new LocalWrites(storage);
    const [result] = await writes.call('storeEvents', [toRecord(incoming())]);
    expect(result).toMatchObject({ duplicate: false, deliveries: 1 });
    await writes.close();
    storage.close();
  });
});
