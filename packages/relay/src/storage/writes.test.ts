// Durable writes on the main thread: commits answered only after an fsync of the WAL, one fsync shared by every
// commit made while the last one ran, and a failed fsync stopping writes for good.
import { fdatasync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from './sqlite';
import { toRecord } from './store';
import { incomingEvent as incoming } from '../test-support';
import { LocalWrites } from './writes';

function database(): { storage: SqliteDatabase; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'hb-writes-')), 'relay.db');
  return { storage: new SqliteDatabase(path, { synchronous: 'normal' }), path };
}

/** The real fdatasync, with a log of when each began and ended. */
function loggedFdatasync(log: string[]) {
  let n = 0;
  return (fd: number, done: (error: Error | null) => void) => {
    const i = ++n;
    log.push(`sync ${i} begins`);
    fdatasync(fd, (error) => {
      log.push(`sync ${i} ends`);
      done(error);
    });
  };
}

describe('LocalWrites (SQLite, synchronous: full)', () => {
  test('a write is answered only after an fsync that began after its commit; commits made meanwhile share the next one', async () => {
    const { storage, path } = database();
    const log: string[] = [];
    const writes = new LocalWrites(storage, `${path}-wal`, loggedFdatasync(log));
    const answered = (name: string) => () => log.push(`${name} answered`);

    const first = writes.call('storeEvents', [toRecord(incoming())]).then(answered('first'));
    // Committed while the first fsync runs: they wait for the next one, and share it.
    const second = writes.call('storeEvents', [toRecord(incoming())]).then(answered('second'));
    const third = writes.call('storeEvents', [toRecord(incoming()), toRecord(incoming())]).then(answered('third'));
    await Promise.all([first, second, third]);

    const at = (entry: string) => log.indexOf(entry);
    // Two fsyncs for three commits, one after the other.
    expect(log.filter((e) => e.endsWith('begins'))).toEqual(['sync 1 begins', 'sync 2 begins']);
    expect(at('sync 2 begins')).toBeGreaterThan(at('sync 1 ends'));
    // The first commit is answered after the first fsync; the two made while it ran, after the second.
    expect(at('first answered')).toBeGreaterThan(at('sync 1 ends'));
    expect(at('second answered')).toBeGreaterThan(at('sync 2 ends'));
    expect(at('third answered')).toBeGreaterThan(at('sync 2 ends'));
    // Committed, not only promised: another connection reads all four.
    const reader = new SqliteDatabase(path);
    expect(reader.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 4 });
    reader.close();
    await writes.close();
    storage.close();
  });

  test('a failed fsync fails the writes waiting for it and every write after it, with a clear error', async () => {
    const { storage, path } = database();
    const writes = new LocalWrites(storage, `${path}-wal`, (_fd, done) => setImmediate(() => done(new Error('EIO: i/o error'))));
    await expect(writes.call('storeEvents', [toRecord(incoming())])).rejects.toThrow(
      /SQLite writes could not be made durable \(fsync of the WAL failed: EIO: i\/o error\); restart the relay/,
    );
    // The disk may have dropped those pages: nothing is acknowledged from now on, even if a later fsync would pass.
    await expect(writes.call('storeEvents', [toRecord(incoming())])).rejects.toThrow(/could not be made durable/);
    expect(writes.error?.message).toMatch(/fsync of the WAL failed/);
    await writes.close();
    storage.close();
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
